/*
 * Map support code of areas, inlined once into every map page.
 *
 * The page holds each layer's data as strict JSON in a
 * JSON script element (type application/json, attribute data-areas-layer); the
 * functions below read it and draw it with Leaflet. Tooltips are built with
 * textContent, so text from the data is never read as HTML.
 */
window.areasTip = window.areasTip || function (title, rows) {
  var box = document.createElement("div");
  box.className = "areas-tip";
  if (title !== null && title !== undefined) {
    var head = document.createElement("div");
    head.className = "areas-tip-title";
    head.textContent = String(title);
    box.appendChild(head);
  }
  var table = document.createElement("table");
  for (var i = 0; i < rows.length; i++) {
    var tr = table.insertRow();
    tr.insertCell().textContent = String(rows[i][0]);
    tr.insertCell().textContent = String(rows[i][1]);
  }
  box.appendChild(table);
  return box;
};
window.areasFmtInt = window.areasFmtInt || function (value, sep) {
  if (value === null || value === undefined) { return "\u2013"; }
  var s = String(Math.round(Math.abs(value)));
  var out = "";
  while (s.length > 3) { out = sep + s.slice(-3) + out; s = s.slice(0, -3); }
  return (value < 0 ? "-" : "") + s + out;
};

function areasData(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

/* Polygons or points from a GeoJSON FeatureCollection, styled by a lookup table. */
window.areasGeoJson = window.areasGeoJson || function (dataId, parent, styles, kind, options) {
  var data = areasData(dataId);
  var layer = L.geoJSON(data, {
    style: function (f) { return styles[f.properties.s]; },
    pointToLayer: function (f, latlng) {
      return L.circleMarker(latlng, styles[f.properties.s]);
    },
    onEachFeature: function (f, l) {
      l.options.areasKind = kind;
      l.options.areasId = f.properties.id;
    }
  });
  if (options.tooltip) {
    layer.bindTooltip(function (l) {
      return areasTip(l.feature.properties.t, l.feature.properties.r);
    }, {sticky: options.sticky, direction: "top", opacity: 0.95});
  }
  layer.addTo(parent);
  return layer;
};

/* A circle marker drawn as options.areasShape on a canvas (a circle elsewhere);
 * the class is made on first use, once Leaflet is there. */
window.areasShapeMarker = window.areasShapeMarker || function (latlng, options) {
  window.AreasShapeMarker = window.AreasShapeMarker || areasShapeMarkerClass();
  return new window.AreasShapeMarker(latlng, options);
};
function areasShapeMarkerClass() { return L.CircleMarker.extend({
  _updatePath: function () {
    var renderer = this._renderer, shape = this.options.areasShape;
    if (!renderer._ctx || !shape || shape === "circle") {
      return L.CircleMarker.prototype._updatePath.call(this);
    }
    if (!renderer._drawing || this._empty()) { return; }
    var ctx = renderer._ctx, p = this._point, r = Math.max(Math.round(this._radius), 1);
    ctx.beginPath();
    areasShapePath(ctx, shape, p.x, p.y, r);
    renderer._fillStroke(ctx, this);
  }
}); }

/* Firms as canvas circle markers, built from a compact array; with
 * aggregation only from zoom d.minZoom (and built the first time needed). */
window.areasFirmPoints = window.areasFirmPoints || function (dataId, map, group) {
  var d = areasData(dataId);
  var rows = d.rows, L_ = d.labels, sep = d.sep, points = null;
  function tip(layer) {
    var r = rows[layer.options.areasIndex];
    var stop = r[6] === null ? d.missing : d.stops[r[6]];
    var dist = r[7] === null ? d.missing : areasFmtInt(r[7], sep) + " m";
    var bid = d.bidCats[r[3]] + (r[8] === null ? "" : " (" + d.bids[r[8]] + ")");
    var lines = [
      [L_.employees, areasFmtInt(r[5], sep)],
      [L_.nearest, stop],
      [L_.distance, dist],
      [L_.band, d.bands[r[2]]],
      [L_.bid, bid]
    ];
    if (L_.departures) {  /* with service data: two more lines, written in Python */
      lines.push([L_.departures, r[9]], [L_.ptal, r[10]]);
    }
    return areasTip(r[4], lines);
  }
  function build() {
    points = L.featureGroup();
    var col = d.colorColumn, colors = d.colors, shapes = d.shapes || [], base = d.marker;
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      areasShapeMarker([r[0], r[1]], {
        radius: base.radius, weight: base.weight, color: base.color,
        opacity: base.opacity, fillOpacity: base.fillOpacity,
        fillColor: colors[r[col]], areasShape: shapes[r[col]] || "circle",
        areasKind: "firm", areasIndex: i
      }).addTo(points);
    }
    points.bindTooltip(tip, {direction: "top", offset: [0, -4], opacity: 0.95});
  }
  function sync() {
    var want = !d.aggregate || map.getZoom() >= d.minZoom;
    if (want) {
      if (points === null) { build(); }
      if (!group.hasLayer(points)) {
        group.addLayer(points);
        map.fire("areas:restack");
      }
    } else if (points !== null && group.hasLayer(points)) {
      group.removeLayer(points);
    }
  }
  map.on("zoomend", sync);
  sync();
  return {rows: rows, sync: sync, points: function () { return points; }};
};

/* Firm counts per square cell; drawn below zoom d.minZoom when aggregating. */
window.areasFirmGrid = window.areasFirmGrid || function (dataId, map, group) {
  var d = areasData(dataId);
  var cells = L.featureGroup();
  for (var i = 0; i < d.cells.length; i++) {
    var c = d.cells[i];
    L.polygon(c[0], {
      color: d.style.color, weight: d.style.weight,
      fillOpacity: d.style.fillOpacity,
      fillColor: d.colors[c[2]], areasKind: "cell", areasIndex: i
    }).addTo(cells);
  }
  cells.bindTooltip(function (layer) {
    var c = d.cells[layer.options.areasIndex];
    var rows = [];
    for (var k = 0; k < d.categories.length; k++) {
      if (c[3][k] > 0) {
        rows.push([d.categories[k], areasFmtInt(c[3][k], d.sep)]);
      }
    }
    return areasTip(d.title + ": " + areasFmtInt(c[1], d.sep), rows);
  }, {sticky: true, direction: "top", opacity: 0.95});
  function sync() {
    var want = !d.aggregate || map.getZoom() < d.minZoom;
    if (want && !group.hasLayer(cells)) {
      group.addLayer(cells);
      map.fire("areas:restack");
    } else if (!want && group.hasLayer(cells)) {
      group.removeLayer(cells);
    }
  }
  map.on("zoomend", sync);
  sync();
  return {cells: cells, sync: sync};
};

/* Keep the layers in order on the shared canvas when toggled or built lazily. */
window.areasStacking = window.areasStacking || function (map, below, above) {
  function restack() {
    for (var i = below.length - 1; i >= 0; i--) {
      if (map.hasLayer(below[i])) { below[i].bringToBack(); }
    }
    for (var j = 0; j < above.length; j++) {
      if (map.hasLayer(above[j])) { above[j].bringToFront(); }
    }
  }
  map.on("overlayadd", restack);
  map.on("areas:restack", restack);
  restack();
};

/* Move the legend element (written hidden in the page) into a Leaflet control. */
window.areasLegend = window.areasLegend || function (map, elementId, position) {
  var legend = L.control({position: position});
  legend.onAdd = function () {
    var div = document.getElementById(elementId);
    div.hidden = false;
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  legend.addTo(map);
  // Small screens: the legend and the layer list start closed, opened on demand.
  if (areasSmallScreen(map)) {
    var details = document.getElementById(elementId).querySelector("details");
    if (details) { details.open = false; }
  }
  return legend;
};

window.areasSmallScreen = window.areasSmallScreen || function (map) {
  var box = map.getContainer();
  return box.clientWidth < 600 || box.clientHeight < 500;
};

/* Fit the map to bounds on opening, without animation, keeping the bounds clear of the
 * legend and the layer list (measured after they are placed). On small screens the
 * layer list is collapsed first (it opens from its button). */
window.areasFitView = window.areasFitView || function (map, bounds) {
  var box = map.getContainer();
  if (areasSmallScreen(map)) {
    var lists = box.querySelectorAll(".leaflet-control-layers-expanded");
    for (var i = 0; i < lists.length; i++) {
      lists[i].classList.remove("leaflet-control-layers-expanded");
    }
    map.on("click", function () {
      var open = box.querySelectorAll(".leaflet-control-layers-expanded");
      for (var j = 0; j < open.length; j++) { open[j].classList.remove("leaflet-control-layers-expanded"); }
    });
  }
  var width = box.clientWidth, height = box.clientHeight;
  function extent(selector) {
    var node = box.querySelector(selector);
    if (!node || node.offsetParent === null) { return null; }
    var r = node.getBoundingClientRect(), b = box.getBoundingClientRect();
    return {left: r.left - b.left, right: r.right - b.left, top: r.top - b.top, bottom: r.bottom - b.top};
  }
  var left = 12, right = 12, top = 12, bottom = 12;
  var legend = extent(".areas-legend");
  var layers = extent(".leaflet-control-layers-expanded");
  if (legend) { left = Math.max(left, legend.right + 8); }
  if (layers) { right = Math.max(right, width - layers.left + 8); }
  // Keep at least 40 % of the width for the data; else pad only what is free.
  if (width - left - right < 0.4 * width) {
    left = Math.min(left, 0.3 * width);
    right = Math.min(right, 0.3 * width);
  }
  map.fitBounds(bounds, {paddingTopLeft: [left, top], paddingBottomRight: [right, bottom],
    animate: false});
  return {left: left, right: right};
};

/* The background (water, boundaries, roads, railways): drawn with SVG in its own pane
 * below the data, never interactive; its attribution goes to the attribution control. */
window.areasBackground = window.areasBackground || function (dataId, map, group, styles, attribution) {
  if (!map.getPane("areasBackground")) {
    var pane = map.createPane("areasBackground");
    pane.style.zIndex = 250;
    pane.style.pointerEvents = "none";
  }
  var renderer = L.svg({pane: "areasBackground", padding: 0.5});
  var layer = L.geoJSON(areasData(dataId), {
    pane: "areasBackground",
    renderer: renderer,
    interactive: false,
    style: function (f) { return styles[f.properties.s]; }
  });
  layer.addTo(group);
  if (attribution) { areasAttribution(map, attribution); }
  return layer;
};

/* Add a line to the map's attribution control (the text is HTML escaped in Python). */
window.areasAttribution = window.areasAttribution || function (map, html) {
  if (map.attributionControl && html) { map.attributionControl.addAttribution(html); }
};

// Leaflet's zoom buttons carry English titles; give them the map's language.
window.areasZoomTitles = window.areasZoomTitles || function (map, zoomIn, zoomOut) {
  var control = map.zoomControl;
  if (!control) { return; }
  [[control._zoomInButton, zoomIn], [control._zoomOutButton, zoomOut]].forEach(function (pair) {
    if (pair[0]) {
      pair[0].title = pair[1];
      pair[0].setAttribute("aria-label", pair[1]);
    }
  });
};
