/* A point's shape (the second channel beside its colour) as a canvas sub-path:
 * the web map's markers (areas.js) and the compact points layer (compact.js)
 * both draw with it. */
window.areasShapePath = window.areasShapePath || function (ctx, shape, x, y, r) {
  if (shape === "square") {
    var h = r * 0.89;
    ctx.moveTo(x - h, y - h); ctx.lineTo(x + h, y - h); ctx.lineTo(x + h, y + h);
    ctx.lineTo(x - h, y + h); ctx.closePath();
  } else if (shape === "triangle") {
    ctx.moveTo(x, y - 1.25 * r); ctx.lineTo(x + 1.15 * r, y + 0.8 * r);
    ctx.lineTo(x - 1.15 * r, y + 0.8 * r); ctx.closePath();
  } else if (shape === "diamond") {
    ctx.moveTo(x, y - 1.25 * r); ctx.lineTo(x + 1.25 * r, y); ctx.lineTo(x, y + 1.25 * r);
    ctx.lineTo(x - 1.25 * r, y); ctx.closePath();
  } else {
    ctx.moveTo(x + r, y); ctx.arc(x, y, r, 0, 2 * Math.PI);
  }
};
