/* Behaviour shared by every page. No inline script anywhere: the Content-Security-Policy forbids it. */
(function () {
  'use strict';
  // <form data-confirm="…">: ask before submitting (replaces inline onsubmit="return confirm(…)")
  document.addEventListener('submit', function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute('data-confirm');
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);
  // <button data-print>: print the page (the print stylesheet keeps its content only)
  document.addEventListener('click', function (event) {
    if (event.target && event.target.closest && event.target.closest('[data-print]')) {
      window.print();
    }
  });
})();
