/* Compact point layer for Leaflet (areas toolkit).
 *
 * new L.AreasCompactPoints(blockId, options) reads a JSON block written by
 * areas.output.compact: quantised coordinates and attribute columns packed as
 * little-endian byte planes, usually deflate-compressed, all in one base64
 * string. The points are decoded once (natively, with DecompressionStream)
 * and drawn straight onto the layer's own canvas: no marker objects, only the
 * points inside the view are drawn, at any zoom. Tooltips come from a
 * screen-space bucket index rebuilt with each drawing, so hovering (or
 * clicking, on touch screens) finds the nearest point in constant time.
 *
 * layer.ready is a Promise resolved when the data are decoded; layer.count(),
 * layer.latLng(i), layer.value(column, i) and layer.tooltipFor(i) read them.
 */
(function () {
  "use strict";
  if (!window.L || L.AreasCompactPoints) { return; }

  var BUCKET_PX = 16;

  // Performance marks for benchmarks (performance.getEntriesByType("mark")).
  function mark(name) {
    if (window.performance && performance.mark) { performance.mark(name); }
  }

  function fromBase64(text) {
    var bin = atob(text), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out;
  }

  function inflate(bytes) {
    if (typeof DecompressionStream === "undefined") {
      return Promise.reject(new Error("this browser cannot unpack the layer (no DecompressionStream)"));
    }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    return new Response(stream).arrayBuffer().then(function (buf) { return new Uint8Array(buf); });
  }

  // Reassemble n unsigned integers of `width` bytes stored as byte planes.
  function planes(bytes, n, width) {
    var out = width === 1 ? new Uint8Array(n) : width === 2 ? new Uint16Array(n) : new Uint32Array(n);
    for (var b = 0; b < width; b++) {
      var base = b * n, mult = Math.pow(2, 8 * b);
      for (var i = 0; i < n; i++) { out[i] += bytes[base + i] * mult; }
    }
    return out;
  }

  var probe = null;
  // A CSS colour as [r, g, b] (read back from a 1×1 canvas, so any CSS colour works).
  function rgb(color) {
    if (!probe) { probe = document.createElement("canvas").getContext("2d", {willReadFrequently: true}); }
    probe.clearRect(0, 0, 1, 1);
    probe.fillStyle = "#000";
    probe.fillStyle = color;
    probe.fillRect(0, 0, 1, 1);
    var d = probe.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2]];
  }

  // Source-over compositing of colour c with opacity a onto pixel i of RGBA data.
  function over(data, i, c, a) {
    var da = data[i + 3] / 255, oa = a + da * (1 - a);
    for (var ch = 0; ch < 3; ch++) {
      data[i + ch] = (c[ch] * a + data[i + ch] * da * (1 - a)) / oa;
    }
    data[i + 3] = oa * 255;
  }

  // Whether pixel offset (dx, dy) lies in the shape of radius r.
  function inShape(shape, dx, dy, r) {
    if (shape === "square") { return Math.abs(dx) <= r * 0.89 && Math.abs(dy) <= r * 0.89; }
    if (shape === "diamond") { return Math.abs(dx) + Math.abs(dy) <= 1.25 * r; }
    if (shape === "triangle") {
      if (dy < -1.25 * r || dy > 0.8 * r) { return false; }
      return Math.abs(dx) <= 1.15 * r * (dy + 1.25 * r) / (2.05 * r);
    }
    return dx * dx + dy * dy <= r * r;
  }

  function unzigzag(v) { return (v % 2) ? -(v + 1) / 2 : v / 2; }

  function fmtInt(value, sep) {
    var s = String(Math.round(Math.abs(value))), out = "";
    while (s.length > 3) { out = sep + s.slice(-3) + out; s = s.slice(0, -3); }
    return (value < 0 ? "-" : "") + s + out;
  }

  function fmtNumber(value, decimals, lang) {
    var sep = lang === "da" ? "." : ",", point = lang === "da" ? "," : ".";
    var fixed = Math.abs(value).toFixed(decimals), parts = fixed.split(".");
    var text = fmtInt(Number(parts[0]), sep) + (parts[1] ? point + parts[1] : "");
    return (value < 0 && Number(fixed) !== 0 ? "-" : "") + text;
  }

  function decodeColumns(meta, bytes) {
    var n = meta.n, cols = {};
    meta.columns.forEach(function (c) {
      var part = bytes.subarray(c.offset, c.offset + c.length);
      if (c.kind === "text") {
        var values = new TextDecoder().decode(part).split("\u0000");
        (c.missing || []).forEach(function (i) { values[i] = null; });
        cols[c.name] = values;
      } else if (c.kind === "float") {
        cols[c.name] = new Float32Array(part.slice().buffer);
      } else {
        cols[c.name] = planes(part, n, c.width);
      }
    });
    return cols;
  }

  function decodeCoords(meta, bytes) {
    var n = meta.n, c = meta.coords;
    var raw = planes(bytes.subarray(c.offset, c.offset + c.length), 2 * n, c.width);
    var lon = new Float64Array(n), lat = new Float64Array(n), x = 0, y = 0;
    for (var i = 0; i < n; i++) {
      x += unzigzag(raw[i]);
      y += unzigzag(raw[n + i]);
      lon[i] = meta.origin[0] + x * meta.step;
      lat[i] = meta.origin[1] + y * meta.step;
    }
    return {lon: lon, lat: lat};
  }

  L.AreasCompactPoints = L.Canvas.extend({
    options: {padding: 0.1, radius: 3, hitPx: 4, tolerance: 0, pane: "areasCompactPane",
      pixelsAbove: 3000},

    initialize: function (blockId, options) {
      L.Canvas.prototype.initialize.call(this, options);
      var meta = JSON.parse(document.getElementById(blockId).textContent);
      this.meta = meta;
      this._n = 0;
      this._drawn = 0;
      var self = this, packed = fromBase64(meta.data);
      mark("areas-compact-start");
      this.ready = (meta.compressed ? inflate(packed) : Promise.resolve(packed)).then(function (bytes) {
        mark("areas-compact-inflated");
        self._coords = decodeCoords(meta, bytes);
        self._cols = decodeColumns(meta, bytes);
        self._mercator();
        self._n = meta.n;
        mark("areas-compact-decoded");
        if (self._map) { self._update(); }
        mark("areas-compact-drawn");
        self.fire("areas:ready");
        return self;
      });
      this.ready.catch(function (err) { self._fail(err); });
    },

    _fail: function (err) {
      this.error = String(err && err.message || err);
      if (this._map && this.meta.labels.unavailable) {
        var note = L.control({position: "bottomright"});
        var text = this.meta.labels.unavailable;
        note.onAdd = function () { return L.DomUtil.create("div", "areas-compact-note"); };
        note.addTo(this._map).getContainer().textContent = text;
      }
    },

    // Web Mercator coordinates in [0, 1] (EPSG:3857 maps), computed once.
    _mercator: function () {
      var n = this.meta.n, lon = this._coords.lon, lat = this._coords.lat;
      var mx = new Float64Array(n), my = new Float64Array(n), d = Math.PI / 180;
      for (var i = 0; i < n; i++) {
        var s = Math.sin(lat[i] * d);
        mx[i] = 0.5 + lon[i] / 360;
        my[i] = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
      }
      this._mx = mx;
      this._my = my;
    },

    // The canvas sits in its own pane above the vector layers and lets the mouse
    // through (pointer-events: none), so the layers below keep their tooltips; this
    // layer reads the mouse from the map container, where the events bubble.
    onAdd: function (map) {
      var pane = this.options.pane;
      if (!map.getPane(pane)) { map.createPane(pane).style.zIndex = 450; }
      L.Canvas.prototype.onAdd.call(this, map);
      this._container.style.pointerEvents = "none";
      this._tip = L.tooltip({direction: "top", offset: [0, -this.options.radius], opacity: 0.95});
      var box = map.getContainer();
      L.DomEvent.on(box, "mousemove click", this._onMouse, this);
      L.DomEvent.on(box, "mouseleave", this._unhover, this);
    },

    onRemove: function (map) {
      var box = map.getContainer();
      L.DomEvent.off(box, "mousemove click", this._onMouse, this);
      L.DomEvent.off(box, "mouseleave", this._unhover, this);
      this._unhover();
      L.Canvas.prototype.onRemove.call(this, map);
    },

    _onMouse: function (e) {
      var map = this._map;
      if (!map || map._animatingZoom || (map.dragging && map.dragging.moving())) { return; }
      this._hover({layerPoint: map.mouseEventToLayerPoint(e)});
    },

    // This canvas holds no Leaflet paths: Leaflet's own path redraw (which clears the
    // canvas after a view change) has nothing to do here.
    _redraw: function () { this._redrawRequest = null; },
    _draw: function () {},

    _update: function () {
      if (this._map._animatingZoom && this._bounds) { return; }
      L.Canvas.prototype._update.call(this);
      this._drawPoints();
    },

    _drawPoints: function () {
      if (!this._n || !this._ctx) { return; }
      var map = this._map, ctx = this._ctx, b = this._bounds, meta = this.meta;
      var crs3857 = map.options.crs === L.CRS.EPSG3857;
      var scale = 256 * Math.pow(2, map.getZoom()), origin = map.getPixelOrigin();
      var r = this.options.radius, n = this._n;
      var colorCol = meta.colorBy ? this._cols[meta.colorBy] : null, palette = meta.colors;
      var w = b.max.x - b.min.x, h = b.max.y - b.min.y;
      var cols = Math.ceil(w / BUCKET_PX) + 1, rows = Math.ceil(h / BUCKET_PX) + 1;
      var counts = new Uint32Array(cols * rows + 1);
      var px = new Float32Array(n), py = new Float32Array(n), inView = new Uint8Array(n);
      var byColor = {}, drawn = 0, i;
      for (i = 0; i < n; i++) {
        var x, y;
        if (crs3857) {
          x = this._mx[i] * scale - origin.x;
          y = this._my[i] * scale - origin.y;
        } else {
          var p = map.latLngToLayerPoint([this._coords.lat[i], this._coords.lon[i]]);
          x = p.x; y = p.y;
        }
        if (x < b.min.x - r || x > b.max.x + r || y < b.min.y - r || y > b.max.y + r) { continue; }
        px[i] = x; py[i] = y; inView[i] = 1; drawn++;
        var key = colorCol ? colorCol[i] : 0;
        (byColor[key] || (byColor[key] = [])).push(i);
        var cx = Math.min(cols - 1, Math.max(0, Math.floor((x - b.min.x) / BUCKET_PX)));
        var cy = Math.min(rows - 1, Math.max(0, Math.floor((y - b.min.y) / BUCKET_PX)));
        counts[cy * cols + cx + 1]++;
      }
      // Bucket index (counting sort): the points of bucket k are ids[start[k] .. start[k + 1]].
      for (i = 1; i < counts.length; i++) { counts[i] += counts[i - 1]; }
      var fill = counts.slice(), ids = new Uint32Array(drawn);
      for (i = 0; i < n; i++) {
        if (!inView[i]) { continue; }
        var bx = Math.min(cols - 1, Math.max(0, Math.floor((px[i] - b.min.x) / BUCKET_PX)));
        var by = Math.min(rows - 1, Math.max(0, Math.floor((py[i] - b.min.y) / BUCKET_PX)));
        ids[fill[by * cols + bx]++] = i;
      }
      this._index = {cols: cols, rows: rows, start: counts, ids: ids, px: px, py: py, min: b.min};
      this._drawn = drawn;
      var style = meta.style, keys = Object.keys(byColor);
      var colorOf = function (key) { return palette ? (palette[key] || style.fillColor) : style.fillColor; };
      if (drawn > this.options.pixelsAbove) {
        var shapeOf = meta.shapes || {};
        this._pixels(keys.map(function (k) { return [colorOf(k), byColor[k], shapeOf[k] || "circle"]; }), px, py, b);
        return;
      }
      var shapes = meta.shapes || {};
      ctx.lineWidth = style.weight;
      ctx.strokeStyle = style.color;
      keys.forEach(function (key) {
        var list = byColor[key], shape = shapes[key] || "circle";
        ctx.fillStyle = colorOf(key);
        ctx.beginPath();
        for (var k = 0; k < list.length; k++) {
          var j = list[k];
          window.areasShapePath(ctx, shape, px[j], py[j], r);
        }
        ctx.globalAlpha = style.fillOpacity;
        ctx.fill();
        if (style.weight > 0) { ctx.globalAlpha = style.opacity; ctx.stroke(); }
      });
      ctx.globalAlpha = 1;
    },

    // Dense views: write the discs straight into the canvas pixels (one putImageData),
    // which costs far less than rasterising a path of many thousand arcs.
    _pixels: function (batches, px, py, b) {
      var ctx = this._ctx, canvas = this._container, style = this.meta.style;
      var m = canvas.width / (b.max.x - b.min.x), W = canvas.width, H = canvas.height;
      var img = ctx.createImageData(W, H), data = img.data;
      var r = this.options.radius * m, ring = Math.max(0, r - style.weight * m), reach = Math.ceil(1.25 * r);
      var byShape = {};
      function offsetsOf(shape) {
        if (byShape[shape]) { return byShape[shape]; }
        var offsets = [];
        for (var dy = -reach; dy <= reach; dy++) {
          for (var dx = -reach; dx <= reach; dx++) {
            if (inShape(shape, dx, dy, r)) {
              var edge = style.weight > 0 && !inShape(shape, dx, dy, ring);
              offsets.push(dx, dy, edge ? 1 : 0);
            }
          }
        }
        byShape[shape] = offsets;
        return offsets;
      }
      var stroke = rgb(style.color);
      batches.forEach(function (batch) {
        var fill = rgb(batch[0]), list = batch[1], offsets = offsetsOf(batch[2]);
        for (var k = 0; k < list.length; k++) {
          var cx = Math.round((px[list[k]] - b.min.x) * m), cy = Math.round((py[list[k]] - b.min.y) * m);
          for (var o = 0; o < offsets.length; o += 3) {
            var x = cx + offsets[o], y = cy + offsets[o + 1];
            if (x < 0 || y < 0 || x >= W || y >= H) { continue; }
            var isRing = offsets[o + 2] === 1, c = isRing ? stroke : fill;
            over(data, (y * W + x) * 4, c, isRing ? style.opacity : style.fillOpacity);
          }
        }
      });
      ctx.putImageData(img, 0, 0);
    },

    // Nearest drawn point to a layer point, within radius + hitPx; -1 when none.
    nearest: function (layerPoint) {
      var ix = this._index;
      if (!ix) { return -1; }
      var reach = this.options.radius + this.options.hitPx, best = -1, bestD = reach * reach;
      var cx = Math.floor((layerPoint.x - ix.min.x) / BUCKET_PX);
      var cy = Math.floor((layerPoint.y - ix.min.y) / BUCKET_PX);
      for (var gy = cy - 1; gy <= cy + 1; gy++) {
        for (var gx = cx - 1; gx <= cx + 1; gx++) {
          if (gx < 0 || gy < 0 || gx >= ix.cols || gy >= ix.rows) { continue; }
          var k = gy * ix.cols + gx;
          for (var s = ix.start[k]; s < ix.start[k + 1]; s++) {
            var i = ix.ids[s], dx = ix.px[i] - layerPoint.x, dy = ix.py[i] - layerPoint.y;
            var d = dx * dx + dy * dy;
            if (d <= bestD) { bestD = d; best = i; }
          }
        }
      }
      return best;
    },

    _hover: function (e) {
      var i = this.nearest(e.layerPoint);
      var box = this._map.getContainer();
      if (i < 0) { this._unhover(); return; }
      box.style.cursor = "pointer";
      if (this._tipIndex !== i) {
        this._tip.setContent(this.tooltipFor(i));
        this._tipIndex = i;
      }
      this._tip.setLatLng(this.latLng(i));
      if (!this._map.hasLayer(this._tip)) { this._map.openTooltip(this._tip); }
    },

    _unhover: function () {
      if (!this._map) { return; }
      this._map.getContainer().style.cursor = "";
      if (this._tip && this._map.hasLayer(this._tip)) { this._map.closeTooltip(this._tip); }
      this._tipIndex = -1;
    },

    count: function () { return this._n; },
    drawn: function () { return this._drawn; },
    latLng: function (i) { return L.latLng(this._coords.lat[i], this._coords.lon[i]); },

    // A value as the reader sees it: dictionary labels, numbers with the language's separators.
    value: function (name, i) {
      var c = this.meta.columns.filter(function (col) { return col.name === name; })[0];
      var v = this._cols[name][i], missing = this.meta.labels.missing;
      if (c.kind === "text") { return v === null ? missing : v; }
      if (c.kind === "cat") { return v === 0 ? missing : c.dict[v - 1]; }
      if (c.kind === "float") {
        return isNaN(v) ? missing : fmtNumber(v * (c.scale || 1), c.decimals, this.meta.lang) + (c.unit || "");
      }
      if (v === 0) { return missing; }
      return fmtNumber(v - 1 + c.min, 0, this.meta.lang) + (c.unit || "");
    },

    tooltipFor: function (i) {
      var meta = this.meta, box = document.createElement("div");
      box.className = "areas-tip";
      if (meta.title) {
        var head = document.createElement("div");
        head.className = "areas-tip-title";
        head.textContent = this.value(meta.title, i);
        box.appendChild(head);
      }
      var table = document.createElement("table");
      for (var k = 0; k < meta.rows.length; k++) {
        var tr = table.insertRow();
        tr.insertCell().textContent = meta.rows[k][0];
        tr.insertCell().textContent = this.value(meta.rows[k][1], i);
      }
      box.appendChild(table);
      return box;
    }
  });
})();
