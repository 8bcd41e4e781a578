// The HR dashboard's charts: drawn from the JSON the page carries (#dashboard-charts, by the
// id in each canvas's data-chart) and drawn again when htmx swaps in new figures. The tables
// next to the charts hold the same numbers; the charts only add the picture.
(function () {
  "use strict";

  var COLOURS = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#dc3545", "#0dcaf0", "#6c757d", "#d63384", "#ffc107"];
  var charts = [];

  function datasets(spec) {
    var doughnut = spec.type === "doughnut";
    return spec.datasets.map(function (dataset, i) {
      return {
        label: dataset.label,
        data: dataset.values,
        // A doughnut needs a colour per slice; bars read best in one colour per series.
        backgroundColor: doughnut ? dataset.values.map(function (_v, j) { return COLOURS[j % COLOURS.length]; }) : COLOURS[i % COLOURS.length]
      };
    });
  }

  function options(spec, canvas) {
    var locale = document.documentElement.lang || undefined;
    var several = spec.datasets.length > 1 || spec.type === "doughnut";
    var result = {
      locale: locale,
      maintainAspectRatio: false,
      animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : undefined,
      plugins: { legend: { display: several, position: "bottom" } }
    };
    if (spec.type === "bar") {
      var values = spec.horizontal ? "x" : "y";
      result.indexAxis = spec.horizontal ? "y" : "x";
      result.scales = {};
      result.scales[values] = { beginAtZero: true, ticks: { precision: 0 } };
      // Long names (categories of the deputies' ladder) are cut short on the chart, the
      // shorter the narrower the screen; the table gives them in full.
      var longest = canvas.parentNode.clientWidth < 480 ? 16 : 30;
      result.scales[result.indexAxis] = {
        ticks: {
          callback: function (value) {
            var label = String(this.getLabelForValue(value));
            return label.length > longest ? label.slice(0, longest - 1) + "…" : label;
          }
        }
      };
    }
    return result;
  }

  function draw() {
    var data = document.getElementById("dashboard-charts");
    if (!data || typeof Chart === "undefined") {
      return;
    }
    var specs = JSON.parse(data.textContent);
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var spec = specs[canvas.dataset.chart];
      if (!spec) {
        return;
      }
      if (spec.horizontal) {
        // A bar per row, each with room for its label: the box grows with the rows.
        canvas.parentNode.style.height = Math.max(224, spec.labels.length * 28 + 48) + "px";
      }
      charts.push(new Chart(canvas, {
        type: spec.type,
        data: { labels: spec.labels, datasets: datasets(spec) },
        options: options(spec, canvas)
      }));
    });
  }

  function clear() {
    charts.forEach(function (chart) { chart.destroy(); });
    charts = [];
  }

  function redraw() {
    clear();
    draw();
  }

  function ours(event) {
    return event.detail.target && event.detail.target.id === "dashboard-body";
  }

  document.addEventListener("DOMContentLoaded", draw);

  // Filters that are not valid come back as 400 with the form's errors: show them.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (ours(event) && event.detail.xhr.status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // The charts are redrawn only once new figures are in: a request that fails leaves the
  // figures (and their charts) as they were, with a word that they could not be updated.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!ours(event)) {
      return;
    }
    redraw();
    document.getElementById("dashboard-failed").hidden = true;
    var figures = document.getElementById("dashboard-figures");
    var errors = document.getElementById("dashboard-errors");
    document.getElementById("dashboard-status").textContent = figures ? figures.dataset.summary : (errors ? errors.textContent.trim() : "");
  });

  function failed(event) {
    if (ours(event)) {
      document.getElementById("dashboard-failed").hidden = false;
    }
  }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);

  // Back or Forward: htmx puts back the page as it was, without its charts.
  document.addEventListener("htmx:historyRestore", redraw);

  // A date box sends the filters once left (or on Enter, which submits the form), not on
  // each change: typing a date changes it at each digit of the year, and the figures
  // drawn again in between would put back the date half typed.
  document.addEventListener("change", function (event) {
    if (event.target.type === "date" && event.target.closest("#dashboard-filters")) {
      event.target.dataset.pending = "true";
    }
  });
  document.addEventListener("focusout", function (event) {
    var field = event.target;
    var form = field.closest && field.closest("#dashboard-filters");
    if (field.type !== "date" || !field.dataset.pending || !form || !form.isConnected) {
      return;
    }
    delete field.dataset.pending;
    htmx.trigger(form, "dates-changed");
  });

  // A new region or district makes the units below it void (they belong to the old one):
  // cleared before the form is sent (capture: ahead of htmx's own listener).
  document.addEventListener("change", function (event) {
    var below = { id_region: ["id_district", "id_organization"], id_district: ["id_organization"] }[event.target.id];
    if (!below || !event.target.closest("#dashboard-filters")) {
      return;
    }
    below.forEach(function (id) {
      var field = document.getElementById(id);
      if (field) {
        field.value = "";
      }
    });
  }, true);
})();
