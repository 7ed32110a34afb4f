// Reads a package tag's barcode (Code 128, or the QR code on tagtrail's labels) with the phone's
// camera and looks it up. Only where the browser has a BarcodeDetector and a camera; elsewhere
// the button stays hidden and the UID is typed. No other script runs on these pages.
(function () {
  "use strict";
  var button = document.getElementById("scan");
  var form = document.getElementById("lookup");
  var input = document.getElementById("uid");
  var box = document.getElementById("scanner");
  var video = document.getElementById("scan-video");
  var status = document.getElementById("scan-status");
  if (!button || !form || !input || !box || !video) return;
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  button.hidden = false;

  var stream = null;
  var timer = null;

  function stop() {
    if (timer) clearInterval(timer);
    timer = null;
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    box.hidden = true;
    button.textContent = "Scan with camera";
  }

  function say(text) {
    if (status) status.textContent = text;
  }

  button.addEventListener("click", function () {
    if (stream) { stop(); return; }
    var detector;
    try {
      detector = new window.BarcodeDetector({ formats: ["code_128", "qr_code", "code_39", "data_matrix"] });
    } catch (e) {
      say("This browser cannot read barcodes; type the UID.");
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        box.hidden = false;
        button.textContent = "Stop camera";
        say("Point the camera at the tag's barcode.");
        return video.play();
      })
      .then(function () {
        timer = setInterval(function () {
          detector.detect(video).then(function (codes) {
            var found = codes.map(function (c) { return (c.rawValue || "").trim(); })
              .filter(function (v) { return v.length > 0; })[0];
            if (!found) return;
            // A label's QR code holds a link to this page; the tag's own barcode, the UID.
            var m = /[?&]uid=([^&#]+)/.exec(found);
            input.value = m ? decodeURIComponent(m[1]) : found;
            stop();
            form.submit();
          }).catch(function () {});
        }, 250);
      })
      .catch(function () {
        stop();
        say("The camera could not be opened; type the UID.");
      });
  });
})();
