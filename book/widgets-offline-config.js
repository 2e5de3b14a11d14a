// Loaded after require.js and before the widgets HTML manager (embed-amd.js) on pages that carry
// saved widget state. Both fixes keep the widgets working from the site's own files:
// 1. RequireJS resolves the manager's module id "@jupyter-widgets/html-manager/dist/..." relative
//    to the page, and the manager loads its icon fonts from there; map it to this folder's copy.
// 2. The widgets call MathJax 2's `MathJax.Hub.Queue(["Typeset", hub, element])` to typeset their
//    labels; the site uses MathJax 3, so provide that call on top of `MathJax.typesetPromise`.
(function () {
  "use strict";
  var here = document.currentScript.src;
  var staticRoot = here.slice(0, here.lastIndexOf("/") + 1);
  window.require.config({
    paths: { "@jupyter-widgets/html-manager/dist": staticRoot + "html-manager" },
  });

  var waiting = [];
  function typeset(element) {
    var mathjax = window.MathJax;
    if (mathjax && mathjax.typesetPromise && mathjax.startup && mathjax.startup.promise) {
      mathjax.startup.promise.then(function () { return mathjax.typesetPromise([element]); });
    } else {
      waiting.push(element);
    }
  }
  var hub = {
    Queue: function () {
      for (var i = 0; i < arguments.length; i++) {
        var command = arguments[i];
        if (Array.isArray(command) && command[0] === "Typeset" && command[2]) typeset(command[2]);
      }
    },
  };
  // MathJax 3 (loaded with `defer`, so after this script) reads its configuration from
  // window.MathJax and then replaces it: keep the hub on the configuration object until then and
  // put it back on MathJax itself once MathJax is ready.
  var config = window.MathJax || {};
  config.Hub = hub;
  config.startup = config.startup || {};
  var ready = config.startup.ready;
  config.startup.ready = function () {
    if (ready) ready(); else window.MathJax.startup.defaultReady();
    window.MathJax.Hub = hub;
    waiting.splice(0).forEach(typeset);
  };
  window.MathJax = config;
})();
