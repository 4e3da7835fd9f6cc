// LSTM Lab: explorers without a kernel. Each .static-explorer holds its frames (a JSON spec written by
// lstm_lab/explorers/static.py): build its controls, and swap the picture and the readout as they move.
(function () {
  "use strict";
  function key(values) {
    return Object.keys(values).sort().map(function (k) { return k + "=" + values[k]; }).join("|");
  }
  function setUp(root) {
    var spec = JSON.parse(root.querySelector(".static-explorer-spec").textContent);
    var img = root.querySelector(".static-explorer-image");
    var readout = root.querySelector(".static-explorer-readout");
    var box = root.querySelector(".static-explorer-controls");
    var values = Object.assign({}, spec.start);
    var inputs = {};
    function show() {
      var frame = spec.frames[key(values)];
      if (!frame) { return false; }
      img.src = frame.img;
      readout.textContent = frame.readout;
      Object.keys(inputs).forEach(function (name) { inputs[name].sync(); });
      return true;
    }
    function change(name, value) {
      values[name] = value;
      if (!spec.frames[key(values)]) {  // not precomputed: the frame with this value that changes fewest others
        var best = null, fewest = Infinity;
        Object.keys(spec.frames).forEach(function (k) {
          var v = spec.frames[k].values;
          if (v[name] !== value) { return; }
          var n = Object.keys(v).filter(function (c) { return v[c] !== values[c]; }).length;
          if (n < fewest) { best = v; fewest = n; }
        });
        if (best) { values = Object.assign({}, best); }
      }
      show();
    }
    Object.keys(spec.controls).forEach(function (name) {
      var c = spec.controls[name];
      var label = document.createElement("label");
      label.className = "static-explorer-control";
      label.style.marginRight = "1.2em";
      label.appendChild(document.createTextNode(c.label + " "));
      var out = document.createElement("output");
      var input;
      if (c.options) {
        input = document.createElement("select");
        c.values.forEach(function (v) { var o = document.createElement("option"); o.value = v; o.textContent = v; input.appendChild(o); });
        input.addEventListener("change", function () { change(name, input.value); });
        inputs[name] = { sync: function () { input.value = values[name]; } };
      } else {
        input = document.createElement("input");
        input.type = "range";
        input.min = 0;
        input.max = c.values.length - 1;
        input.step = 1;
        input.setAttribute("aria-label", c.label);
        input.addEventListener("input", function () { change(name, c.values[+input.value]); });
        inputs[name] = { sync: function () { input.value = c.values.indexOf(values[name]); out.textContent = values[name]; } };
      }
      input.dataset.control = name;
      label.appendChild(input);
      label.appendChild(out);
      box.appendChild(label);
    });
    show();
  }
  function all() { document.querySelectorAll(".static-explorer").forEach(setUp); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", all); } else { all(); }
})();
