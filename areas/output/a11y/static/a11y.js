/* Keyboard access and text for Leaflet maps (areas toolkit).
 *
 * areasA11y.init(map, config) adds to a Leaflet map:
 *  - a list of the map's features (a Leaflet control holding a <details>
 *    disclosure): one <button> per feature, grouped by kind; activating a
 *    button pans/zooms the map to the feature, opens its popup or tooltip,
 *    outlines it and announces its text in a polite live region;
 *  - a name, role description and keyboard help for the map container;
 *  - Leaflet's own control titles in the page's language.
 *
 * Features are found per group: the leaf layers of the named layer variables
 * (config.groups[i].layers, names of globals), or, with no names, every leaf
 * layer on the map whose options.areasKind equals the group's kind. A
 * feature's name is options.areasName, else feature.properties[nameKey], else
 * the title of its tooltip or popup (text only, read from an inert document).
 *
 * Works with the SVG and the canvas renderer: nothing depends on the layers
 * having DOM elements.
 */
(function () {
  "use strict";
  if (window.areasA11y) { return; }

  var counter = 0;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function squash(text) {
    return String(text || "").replace(/\s+/g, " ").trim();
  }

  // Text of a tooltip/popup content (string of HTML, element or function), never run.
  function contentNode(content, layer) {
    if (typeof content === "function") { content = content(layer); }
    if (content === null || content === undefined) { return null; }
    if (content.nodeType) { return content; }
    var doc = new DOMParser().parseFromString(String(content), "text/html");
    return doc.body;
  }

  // Readable text of tooltip or popup content: table rows as "label: value", sentences apart.
  function readable(node) {
    if (!node.querySelectorAll) { return squash(node.textContent); }
    var rows = node.querySelectorAll("tr");
    if (!rows.length) { return squash(node.textContent); }
    var parts = [];
    var head = node.querySelector(".areas-tip-title, [data-a11y-name]");
    if (head) { parts.push(squash(head.textContent)); }
    for (var i = 0; i < rows.length; i++) {
      var cells = [];
      for (var j = 0; j < rows[i].cells.length; j++) {
        var text = squash(rows[i].cells[j].textContent);
        if (text) { cells.push(text); }
      }
      if (cells.length) { parts.push(cells.join(": ")); }
    }
    return parts.join(". ");
  }

  function titleAndText(node) {
    if (!node) { return [null, null]; }
    var head = node.querySelector && node.querySelector(".areas-tip-title, [data-a11y-name]");
    return [head ? squash(head.textContent) : null, readable(node)];
  }

  // The layer holding the tooltip or popup of a leaf: itself or a parent group.
  function binder(layer, what) {
    var getter = what === "popup" ? "getPopup" : "getTooltip";
    if (layer[getter] && layer[getter]()) { return layer; }
    var parents = layer._eventParents || {};
    for (var id in parents) {
      var found = binder(parents[id], what);
      if (found) { return found; }
    }
    return null;
  }

  function overlayNode(layer, what) {
    var owner = binder(layer, what);
    if (!owner) { return null; }
    var overlay = what === "popup" ? owner.getPopup() : owner.getTooltip();
    return contentNode(overlay._content, layer);
  }

  function leaves(layer, out) {
    if (layer.eachLayer && !layer.getLatLng && !layer.getLatLngs) {
      layer.eachLayer(function (child) { leaves(child, out); });
    } else {
      out.push(layer);
    }
    return out;
  }

  function findLayers(map, group) {
    var out = [];
    if (group.layers && group.layers.length) {
      for (var i = 0; i < group.layers.length; i++) {
        var layer = window[group.layers[i]];
        if (!layer) { throw new Error("areasA11y: no layer named " + group.layers[i]); }
        leaves(layer, out);
      }
    } else {
      map.eachLayer(function (layer) {
        if (layer.options && layer.options.areasKind === group.kind &&
            !(layer.eachLayer && !layer.getLatLng && !layer.getLatLngs)) {
          out.push(layer);
        }
      });
    }
    return out;
  }

  // A feature's name: options.areasName, the nameKey property, else the title
  // (or text) of its tooltip or popup. Content functions run only in that last case.
  function describe(layer, group, index) {
    var props = (layer.feature && layer.feature.properties) || {};
    var name = layer.options.areasName;
    if ((name === undefined || name === null) && group.nameKey) { name = props[group.nameKey]; }
    if (name === undefined || name === null || name === "") {
      var tip = [null, null], pop = [null, null];
      try {
        tip = titleAndText(overlayNode(layer, "tooltip"));
        if (!tip[0] && !tip[1]) { pop = titleAndText(overlayNode(layer, "popup")); }
      } catch (err) { /* a content function that fails leaves the name to the fallback */ }
      name = tip[0] || pop[0] || tip[1] || pop[1] || (group.singular + " " + (index + 1));
    }
    name = squash(name);
    if (name.length > 120) { name = name.slice(0, 117) + "\u2026"; }
    return {layer: layer, group: group, name: name};
  }

  // The text of the open tooltip or popup of a feature, as the page shows it.
  function shownText(layer) {
    var kinds = ["popup", "tooltip"];
    for (var i = 0; i < kinds.length; i++) {
      var owner = binder(layer, kinds[i]);
      var overlay = owner && (kinds[i] === "popup" ? owner.getPopup() : owner.getTooltip());
      if (overlay && overlay.isOpen() && overlay.getElement()) {
        var node = overlay.getElement();
        return readable(node.querySelector(".leaflet-popup-content") || node);
      }
    }
    return "";
  }

  function localise(map, labels) {
    var box = map.getContainer();
    var set = function (selector, text, attrs) {
      var nodes = box.querySelectorAll(selector);
      for (var i = 0; i < nodes.length; i++) {
        for (var j = 0; j < attrs.length; j++) { nodes[i].setAttribute(attrs[j], text); }
      }
    };
    set(".leaflet-control-zoom-in", labels.zoomIn, ["title", "aria-label"]);
    set(".leaflet-control-zoom-out", labels.zoomOut, ["title", "aria-label"]);
    set(".leaflet-control-layers-toggle", labels.layers, ["title", "aria-label"]);
    set(".leaflet-control-attribution a[href='https://leafletjs.com']", labels.leaflet, ["title"]);
    var lists = box.querySelectorAll(".leaflet-control-layers-list");
    for (var i = 0; i < lists.length; i++) {
      lists[i].setAttribute("role", "group");
      lists[i].setAttribute("aria-label", labels.layers);
    }
  }

  function centreOf(layer) {
    if (layer.getLatLng) { return layer.getLatLng(); }
    if (layer.getBounds) { return layer.getBounds().getCenter(); }
    return null;
  }

  function Controller(map, config) {
    this.map = map;
    this.config = config;
    this.labels = config.labels;
    this.features = [];
    this.active = null;
    this.id = "areas-a11y-" + (++counter);
  }

  Controller.prototype.collect = function () {
    var groups = this.config.groups || [];
    for (var g = 0; g < groups.length; g++) {
      var layers = findLayers(this.map, groups[g]);
      for (var i = 0; i < layers.length; i++) {
        this.features.push(describe(layers[i], groups[g], i));
      }
    }
  };

  Controller.prototype.describeMap = function () {
    var box = this.map.getContainer();
    var help = el("p", "areas-a11y-sr", this.labels.keyboardHelp);
    help.id = this.id + "-help";
    box.appendChild(help);
    this.status = el("div", "areas-a11y-sr");
    this.status.setAttribute("role", "status");
    this.status.setAttribute("aria-live", "polite");
    box.appendChild(this.status);
    box.setAttribute("role", "region");
    box.setAttribute("aria-roledescription", this.labels.map);
    box.setAttribute("aria-label", this.config.title || this.labels.map);
    var described = [help.id];
    if (this.config.describedBy) { described.push(this.config.describedBy); }
    box.setAttribute("aria-describedby", described.join(" "));
  };

  Controller.prototype.list = function () {
    var self = this, labels = this.labels;
    var details = el("details", "areas-a11y");
    var summary = el("summary", null, labels.features + " (" + this.features.length + ")");
    details.appendChild(summary);
    var panel = el("div", "areas-a11y-panel");
    panel.appendChild(el("p", "areas-a11y-hint", labels.hint));
    var groups = this.config.groups || [];
    for (var g = 0; g < groups.length; g++) {
      var members = this.features.filter(function (f) { return f.group === groups[g]; });
      if (!members.length) { continue; }
      var head = el("p", "areas-a11y-group", groups[g].label + " (" + members.length + ")");
      head.id = this.id + "-g" + g;
      var ul = el("ul");
      ul.setAttribute("aria-labelledby", head.id);
      members.forEach(function (f) {
        var li = el("li");
        var button = el("button", "areas-a11y-feature", f.name);
        button.type = "button";
        button.setAttribute("aria-label", f.name + ", " + f.group.singular);
        button.addEventListener("click", function () { self.activate(f); });
        f.button = button;
        li.appendChild(button);
        ul.appendChild(li);
      });
      panel.appendChild(head);
      panel.appendChild(ul);
    }
    details.appendChild(panel);
    details.addEventListener("keydown", function (e) {
      if (e.key === "Escape") {
        self.release();
        if (details.open) { details.open = false; summary.focus(); }
      }
    });
    var control = L.control({position: this.config.position || "topleft"});
    control.onAdd = function () {
      var box = el("div", "leaflet-control areas-a11y-control");
      box.appendChild(details);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    control.addTo(this.map);
    this.details = details;
  };

  Controller.prototype.release = function () {
    var f = this.active;
    if (!f) { return; }
    var layer = f.layer;
    if (layer.setStyle && f.savedStyle) { layer.setStyle(f.savedStyle); }
    if (layer._map) {
      layer.fire("mouseout", {latlng: centreOf(layer)}, true);
      if (binder(layer, "popup")) { this.map.closePopup(); }
    }
    if (f.button) { f.button.removeAttribute("aria-current"); }
    this.active = null;
  };

  Controller.prototype.activate = function (f) {
    this.release();
    var map = this.map, layer = f.layer, maxZoom = this.config.maxZoom || 17;
    if (layer.getBounds && !layer.getLatLng) {
      map.fitBounds(layer.getBounds(), {padding: [24, 24], maxZoom: maxZoom, animate: false});
    } else if (layer.getLatLng) {
      map.setView(layer.getLatLng(), Math.max(map.getZoom(), this.config.pointZoom || 16),
        {animate: false});
    }
    if (layer.setStyle && layer.options) {
      var o = layer.options;
      f.savedStyle = {weight: o.weight, color: o.color, dashArray: o.dashArray || null};
      layer.setStyle({weight: (o.weight || 2) + 3, color: this.config.focusColor || "#1a1a1a"});
    }
    var latlng = centreOf(layer);
    if (layer._map && latlng) {
      if (binder(layer, "popup")) {
        layer.fire("click", {latlng: latlng, layer: layer}, true);
      } else if (binder(layer, "tooltip")) {
        layer.fire("mouseover", {latlng: latlng, layer: layer}, true);
      }
    }
    var details = shownText(layer);
    if (details.indexOf(f.name) === 0) {
      details = details.slice(f.name.length).replace(/^[.:]\s*/, "").trim();
    }
    var said = f.name + ", " + f.group.singular + ".";
    if (details) { said += " " + details; }
    if (!layer._map) { said += " " + this.labels.hidden; }
    this.status.textContent = said;
    if (f.button) { f.button.setAttribute("aria-current", "true"); }
    this.active = f;
  };

  Controller.prototype.init = function () {
    this.collect();
    this.describeMap();
    this.list();
    localise(this.map, this.labels);
    var self = this;
    // Layer controls build their lists again when overlays change.
    this.map.on("overlayadd overlayremove baselayerchange", function () {
      localise(self.map, self.labels);
    });
    return this;
  };

  window.areasA11y = {
    /** Add the feature list, names and labels to ``map``; returns the controller. */
    init: function (map, config) {
      var controller = new Controller(map, config).init();
      map.areasA11y = controller;
      return controller;
    },
    /** Read a JSON config from the element with ``id`` and call init. */
    fromBlock: function (map, id) {
      return this.init(map, JSON.parse(document.getElementById(id).textContent));
    }
  };
})();
