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
  // htmx swaps nothing on an error answer: say what happened instead of leaving the click silent
  // (a file refused while it was read answers 413 with its limit in X-Upload-Limit-MB)
  document.addEventListener('htmx:responseError', function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (!xhr) { return; }
    var limit = xhr.getResponseHeader('X-Upload-Limit-MB');
    window.alert(xhr.status === 413
      ? '文件过大，未上传' + (limit ? '（上限 ' + limit + ' MB）' : '') + '。请压缩或拆分后重新上传。'
      : '操作未完成（错误 ' + xhr.status + '）。请刷新页面后重试。');
  });
})();
