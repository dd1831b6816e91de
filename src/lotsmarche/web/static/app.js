// lotsmarche: the only script. Follows a background job and selects an invitation link on focus.
(function () {
  "use strict";
  var box = document.querySelector("[data-tache]");
  if (box && (box.dataset.etat === "en_attente" || box.dataset.etat === "en_cours")) {
    var poll = function () {
      fetch("/api/jobs/" + encodeURIComponent(box.dataset.tache), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (j) {
          box.querySelector("[data-progression]").value = j.progression;
          box.querySelector("[data-message]").textContent = j.message;
          if (j.etat === "termine" || j.etat === "echec") { window.location.reload(); } else { setTimeout(poll, 700); }
        })
        .catch(function () { setTimeout(poll, 2000); });
    };
    setTimeout(poll, 500);
  }
  var list = document.getElementById("communes");
  document.querySelectorAll("[data-communes]").forEach(function (input) {
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      if (input.value.length < 2 || input.value.indexOf("\u2014") >= 0) { return; }
      timer = setTimeout(function () {
        fetch("/communes?q=" + encodeURIComponent(input.value), { credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (rows) {
            list.textContent = "";
            rows.forEach(function (c) {
              var o = document.createElement("option");
              o.value = c.code + " \u2014 " + c.libelle;
              list.appendChild(o);
            });
          });
      }, 200);
    });
  });
  document.querySelectorAll("[data-selection]").forEach(function (el) {
    el.addEventListener("focus", function () { el.select(); });
  });
})();
