/*
 * Learning OS — page behaviour.
 *
 * Loaded with `defer` from our own origin. The Content-Security-Policy forbids
 * inline scripts and inline event handlers, so every behaviour is attached here
 * through data-attributes:
 *
 *   button[data-password-toggle][aria-controls=ID]   show / hide a password (aria-pressed)
 *   input[data-password-strength=METER_ID]           strength meter (weak/fair/good/strong)
 *   input[data-match=OTHER_ID][data-match-hint=ID]   "passwords match" hint
 *   form[data-submit-once]                           disables the submit button while posting
 *   [data-toast]                                     a toast; auto-dismisses
 *   button[data-toast-dismiss]                       closes its toast
 *   form[data-confirm] / button[data-confirm]        asks window.confirm(message) before submitting
 *   form[data-upload]                                file upload: drop zone, preview, checks, XHR
 *                                                    with a progress bar (see "Upload" below)
 *   [data-announce] / [data-announce="always"]       text read out by a screen reader when htmx
 *                                                    swaps it in (on change / every time)
 *   textarea[data-enter-submits]                     Enter submits, Shift+Enter adds a line
 *   [data-poll]                                      an htmx poller: paused while the tab is
 *                                                    hidden, backs off after failed requests
 *   [data-draft=KEY]                                 what is typed is kept in localStorage until
 *                                                    sent (restored on load; cleared at sign-out)
 *   a[data-dialog=ID] / [data-dialog-close]          opens the <dialog id=ID> as a modal (its body
 *                                                    loaded by htmx); without JS the link is a page
 *
 * The learning page's own behaviour (streamed replies, focus after updates) is in learn.js.
 *
 * The server can also raise a toast from an htmx response with the header
 *   HX-Trigger: {"toast": "Saved."}   or   {"toast": {"message": "…", "level": "error"}}
 */
(function () {
  'use strict';

  var TOAST_TIMEOUT_MS = 6000;

  function $(sel, root) {
    return (root || document).querySelector(sel);
  }
  function $all(sel, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(sel));
  }
  function onReady(fn) {
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', fn);
    else fn();
  }

  /* ------------------------------------------------------------------ */
  /* Password show / hide                                                 */
  /* ------------------------------------------------------------------ */
  document.addEventListener('click', function (event) {
    var button = event.target.closest && event.target.closest('[data-password-toggle]');
    if (!button) return;
    var input = document.getElementById(button.getAttribute('aria-controls'));
    if (!input) return;
    var show = button.getAttribute('aria-pressed') !== 'true';
    input.type = show ? 'text' : 'password';
    button.setAttribute('aria-pressed', show ? 'true' : 'false');
    $all('[data-when-shown]', button).forEach(function (el) { el.hidden = !show; });
    $all('[data-when-hidden]', button).forEach(function (el) { el.hidden = show; });
  });

  // Never submit a form with the password visible in the page's history/autofill state.
  document.addEventListener('submit', function (event) {
    $all('[data-password-toggle][aria-pressed="true"]', event.target).forEach(function (button) {
      var input = document.getElementById(button.getAttribute('aria-controls'));
      if (input) input.type = 'password';
    });
  }, true);

  /* ------------------------------------------------------------------ */
  /* Password strength                                                    */
  /* ------------------------------------------------------------------ */
  var COMMON = [
    'password', 'passwort', 'motdepasse', 'contrasena', 'qwerty', 'qwertz', 'azerty', 'letmein',
    'welcome', 'admin', 'administrator', 'iloveyou', 'monkey', 'dragon', 'football', 'baseball',
    'soccer', 'sunshine', 'princess', 'master', 'login', 'starwars', 'superman', 'batman',
    'trustno1', 'whatever', 'freedom', 'shadow', 'michael', 'jennifer', 'charlie', 'hello',
    'secret', 'changeme', 'default', 'computer', 'internet', 'summer', 'winter', 'spring',
    'autumn', 'abc', 'abcdef', 'abcdefgh', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', 'learningos',
    'learning', 'student', 'school', 'study', 'test', 'testing', 'user', 'guest', 'root', 'pass'
  ];
  var KEYBOARD_ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm', '1234567890', 'qwertzuiop', 'azertyuiop'];
  var LEET = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '@': 'a', '$': 's', '!': 'i', '|': 'l' };

  function deLeet(s) {
    return s.replace(/[0134578@$!|]/g, function (c) { return LEET[c]; });
  }

  // Characters that merely continue a repeat ("aaa") or a sequence ("abc", "321", "qwe")
  // add almost nothing; count them as a quarter of a character.
  function effectiveLength(pw) {
    var lower = pw.toLowerCase();
    var eff = 0;
    for (var i = 0; i < lower.length; i++) {
      var weak = false;
      if (i >= 2) {
        var a = lower.charCodeAt(i - 2), b = lower.charCodeAt(i - 1), c = lower.charCodeAt(i);
        if (a === b && b === c) weak = true;
        else if (b - a === c - b && Math.abs(c - b) === 1) weak = true;
        else {
          var tri = lower.substr(i - 2, 3);
          for (var r = 0; r < KEYBOARD_ROWS.length && !weak; r++) {
            var row = KEYBOARD_ROWS[r];
            if (row.indexOf(tri) !== -1 || row.split('').reverse().join('').indexOf(tri) !== -1) weak = true;
          }
        }
      }
      eff += weak ? 0.25 : 1;
    }
    return eff;
  }

  /**
   * Score 0..4: 0 = empty, 1 = weak, 2 = fair, 3 = good, 4 = strong.
   * From length, variety of character classes and common patterns.
   * `hints` are strings the password should not contain (name, e-mail).
   */
  function scorePassword(pw, hints) {
    if (!pw) return 0;
    var pool = 0;
    var classes = 0;
    if (/[a-z]/.test(pw)) { pool += 26; classes++; }
    if (/[A-Z]/.test(pw)) { pool += 26; classes++; }
    if (/[0-9]/.test(pw)) { pool += 10; classes++; }
    if (/[^a-zA-Z0-9]/.test(pw)) { pool += 33; classes++; }
    // A repeated block ("hunter2hunter2") is only as good as the block.
    var repeated = /^(.+?)\1+$/.exec(pw);
    var unit = repeated ? repeated[1] : pw;
    var bits = effectiveLength(unit) * Math.log(Math.max(pool, 10)) / Math.LN2;

    // Common words, also in leetspeak and with digits/symbols around them ("P@ssw0rd2024!").
    var core = deLeet(pw.toLowerCase().replace(/^[0-9\s]+/, '').replace(/[^a-z]+$/, ''));
    var bare = pw.toLowerCase().replace(/[^a-z0-9]/g, '');
    var isCommon = /^(\d)\1*$/.test(pw) || /^(?:0?1234567890?|0987654321)$/.test(bare);
    for (var i = 0; i < COMMON.length && !isCommon; i++) {
      var word = COMMON[i];
      if (core === word || bare === word) isCommon = true;
      else if (word.length >= 5 && core.indexOf(word) !== -1 && core.length - word.length < 5) isCommon = true;
    }
    if (isCommon) return 1;

    var score;
    if (bits < 40) score = 1;
    else if (bits < 60) score = 2;
    else if (bits < 80) score = 3;
    else score = 4;

    // The policy asks for at least 10 characters.
    if (pw.length < 10) score = 1;
    // One class only (all letters, all digits…) caps at "fair" unless it is long.
    if (classes === 1 && pw.length < 16) score = Math.min(score, 2);

    var lower = pw.toLowerCase();
    (hints || []).forEach(function (hint) {
      hint = (hint || '').toLowerCase().trim();
      if (hint.length >= 3 && lower.indexOf(hint) !== -1) score = Math.max(1, score - 2);
    });
    return score;
  }
  window.LearningOS = window.LearningOS || {};
  window.LearningOS.scorePassword = scorePassword;

  function strengthHints(input) {
    var form = input.form;
    if (!form) return [];
    var hints = [];
    var name = form.elements.namedItem('name');
    var email = form.elements.namedItem('email');
    if (name && name.value) hints = hints.concat(name.value.split(/\s+/));
    if (email && email.value) hints.push(email.value.split('@')[0]);
    return hints;
  }

  function updateStrength(input) {
    var meter = document.getElementById(input.getAttribute('data-password-strength'));
    if (!meter) return;
    var bar = $('.strength', meter);
    var label = $('.strength-label', meter);
    var score = scorePassword(input.value, strengthHints(input));
    var names = ['', 'weak', 'fair', 'good', 'strong'];
    var text = score ? (meter.getAttribute('data-label-' + names[score]) || names[score]) : '';
    if (bar) {
      bar.setAttribute('data-score', String(score));
      bar.setAttribute('aria-valuenow', String(score));
      bar.setAttribute('aria-valuetext', text || (meter.getAttribute('data-label-empty') || ''));
    }
    if (label) {
      label.setAttribute('data-score', String(score));
      if (label.textContent !== text) label.textContent = text;
    }
  }

  /* ------------------------------------------------------------------ */
  /* Confirm password hint                                                */
  /* ------------------------------------------------------------------ */
  function updateMatch(confirm) {
    var other = document.getElementById(confirm.getAttribute('data-match'));
    var hint = document.getElementById(confirm.getAttribute('data-match-hint'));
    if (!other || !hint) return;
    var state = '';
    if (confirm.value) {
      if (confirm.value === other.value) state = 'ok';
      else if (other.value.indexOf(confirm.value) !== 0 || confirm.value.length >= other.value.length) state = 'bad';
    }
    hint.setAttribute('data-state', state);
    var text = state ? (hint.getAttribute('data-text-' + state) || '') : '';
    if (hint.textContent !== text) hint.textContent = text;
  }

  /* textarea[data-enter-submits]: Enter sends the form (with its first submit button),
     Shift+Enter starts a new line. */
  document.addEventListener('keydown', function (event) {
    var t = event.target;
    if (!(t instanceof HTMLTextAreaElement) || !t.hasAttribute('data-enter-submits')) return;
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    if (!t.value.trim() || !t.form) return;
    var button = t.form.querySelector('button[type="submit"]');
    if (t.form.requestSubmit) t.form.requestSubmit(button || undefined);
    else t.form.submit();
  });

  document.addEventListener('input', function (event) {
    var t = event.target;
    if (!(t instanceof HTMLInputElement)) return;
    if (t.hasAttribute('data-password-strength')) updateStrength(t);
    if (t.hasAttribute('data-match')) updateMatch(t);
    if (t.form) {
      $all('[data-password-strength]', t.form).forEach(function (el) { if (el !== t && el.value) updateStrength(el); });
      $all('[data-match="' + t.id + '"]', t.form).forEach(function (el) { if (el.value) updateMatch(el); });
    }
  });

  /* ------------------------------------------------------------------ */
  /* Forms: avoid double submits                                          */
  /* ------------------------------------------------------------------ */
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-submit-once')) return;
    if (event.defaultPrevented) return;
    if (form.getAttribute('aria-busy') === 'true') { event.preventDefault(); return; }
    form.setAttribute('aria-busy', 'true');
    // Disable after the submission has been built, so the submitter's value still goes out.
    window.setTimeout(function () {
      $all('button[type="submit"], button:not([type])', form).forEach(function (b) { b.disabled = true; });
    }, 0);
  });
  // Coming back with the browser's back button (bfcache): make the form usable again.
  window.addEventListener('pageshow', function (event) {
    if (!event.persisted) return;
    $all('form[data-submit-once][aria-busy="true"]').forEach(function (form) {
      form.removeAttribute('aria-busy');
      $all('button', form).forEach(function (b) { b.disabled = false; });
    });
  });

  /* ------------------------------------------------------------------ */
  /* Toasts                                                               */
  /* ------------------------------------------------------------------ */
  function dismissToast(toast) {
    if (!toast || toast.hasAttribute('data-leaving')) return;
    toast.setAttribute('data-leaving', '');
    window.setTimeout(function () { if (toast.parentNode) toast.parentNode.removeChild(toast); }, 200);
  }

  function armToast(toast) {
    if (toast.hasAttribute('data-armed')) return;
    toast.setAttribute('data-armed', '');
    if (toast.getAttribute('data-toast') === 'sticky') return;
    var timer = null;
    var start = function () { timer = window.setTimeout(function () { dismissToast(toast); }, TOAST_TIMEOUT_MS); };
    var stop = function () { if (timer) window.clearTimeout(timer); timer = null; };
    toast.addEventListener('mouseenter', stop);
    toast.addEventListener('mouseleave', start);
    toast.addEventListener('focusin', stop);
    toast.addEventListener('focusout', start);
    start();
  }

  function showToast(message, level) {
    var region = document.getElementById('toast-region');
    if (!region || !message) return;
    // The same message already on screen (e.g. a failing poll): do not stack copies.
    var same = $all('[data-toast]:not([data-leaving]) .toast-message', region).some(function (el) {
      return el.textContent === message;
    });
    if (same) return;
    var template = document.getElementById('toast-template');
    var toast;
    if (template && template.content) {
      toast = template.content.firstElementChild.cloneNode(true);
    } else {
      toast = document.createElement('div');
      toast.className = 'toast';
      toast.appendChild(document.createElement('p')).className = 'toast-message';
    }
    if (level === 'error') toast.classList.add('toast-error');
    toast.setAttribute('data-toast', '');
    var slot = $('.toast-message', toast);
    if (slot) slot.textContent = message;
    region.appendChild(toast);
    armToast(toast);
  }
  window.LearningOS.showToast = showToast;

  document.addEventListener('click', function (event) {
    var button = event.target.closest && event.target.closest('[data-toast-dismiss]');
    if (button) dismissToast(button.closest('[data-toast]'));
  });
  document.addEventListener('keydown', function (event) {
    if (event.key !== 'Escape') return;
    var toast = event.target.closest && event.target.closest('[data-toast]');
    if (toast) dismissToast(toast);
  });

  // HX-Trigger: {"toast": "…"} or {"toast": {"message": "…", "level": "error"}}
  document.addEventListener('toast', function (event) {
    var d = event.detail || {};
    var value = d.value !== undefined ? d.value : d;
    if (typeof value === 'string') showToast(value);
    else if (value && value.message) showToast(String(value.message), value.level);
  });

  // Network / server errors on htmx requests: tell the user, in the error's own words when
  // the server gave some. A response that raised its own toast (HX-Trigger) has said it.
  function errorWords(xhr) {
    if (!xhr) return '';
    try {
      var problem = JSON.parse(xhr.responseText);
      return (problem && problem.error && problem.error.message) || '';
    } catch (e) { return ''; }
  }
  function htmxFailed(event) {
    var region = document.getElementById('toast-region');
    if (!region) return;
    var elt = event.detail && event.detail.elt;
    // A poller that keeps failing reports it once, then waits longer between tries.
    if (elt && elt.hasAttribute && elt.hasAttribute('data-poll') && pollFailed(elt) > 1) return;
    var xhr = event.detail && event.detail.xhr;
    var trigger = xhr && event.type === 'htmx:responseError' ? xhr.getResponseHeader('HX-Trigger') : '';
    if (trigger && trigger.indexOf('"toast"') !== -1) return;
    var msg = errorWords(event.type === 'htmx:responseError' ? xhr : null);
    if (!msg) {
      msg = xhr && xhr.status >= 500 ? region.getAttribute('data-msg-server-error')
        : region.getAttribute('data-msg-network-error');
      if (event.type === 'htmx:responseError' && xhr && xhr.status < 500) msg = region.getAttribute('data-msg-request-error');
    }
    showToast(msg, 'error');
  }
  document.addEventListener('htmx:responseError', htmxFailed);
  document.addEventListener('htmx:sendError', htmxFailed);

  /* ------------------------------------------------------------------ */
  /* Polling (hx-trigger="every …" on an element with data-poll)          */
  /* ------------------------------------------------------------------ */
  function pollFailed(elt) {
    var fails = Number(elt.getAttribute('data-poll-fails') || 0) + 1;
    elt.setAttribute('data-poll-fails', String(fails));
    elt.setAttribute('data-poll-retry-at', String(Date.now() + Math.min(30000, 1000 * Math.pow(2, fails))));
    return fails;
  }
  document.addEventListener('htmx:beforeRequest', function (event) {
    var elt = event.detail && event.detail.elt;
    if (!elt || !elt.hasAttribute || !elt.hasAttribute('data-poll')) return;
    var retryAt = Number(elt.getAttribute('data-poll-retry-at') || 0);
    // Nobody is looking, or the last request failed a moment ago: skip this round.
    if (document.hidden || (retryAt && Date.now() < retryAt)) event.preventDefault();
  });

  /* ------------------------------------------------------------------ */
  /* Announcements: [data-announce] text swapped in by htmx is read out   */
  /* through one polite live region that stays in the page (a live region */
  /* that is itself replaced by a swap is announced unreliably).          */
  /* ------------------------------------------------------------------ */
  var lastAnnounced = {};
  var announceTimer = null;
  function liveRegion() {
    var el = document.getElementById('sr-announcer');
    if (!el && document.body) {
      el = document.createElement('div');
      el.id = 'sr-announcer';
      el.className = 'sr-only';
      el.setAttribute('aria-live', 'polite');
      el.setAttribute('aria-atomic', 'true');
      document.body.appendChild(el);
    }
    return el;
  }
  function announce(text) {
    var region = liveRegion();
    if (!region) return;
    region.textContent = '';
    if (announceTimer) window.clearTimeout(announceTimer);
    announceTimer = window.setTimeout(function () { region.textContent = text; }, 100);
  }
  window.LearningOS.announce = announce;
  function checkAnnouncements(root, initial) {
    var list = $all('[data-announce]', root);
    if (root.matches && root.matches('[data-announce]')) list.unshift(root);
    list.forEach(function (el) {
      var text = (el.textContent || '').replace(/\s+/g, ' ').trim();
      var always = el.getAttribute('data-announce') === 'always';
      var owner = el.id ? el : el.closest('[id]');
      var key = always ? null : (owner ? owner.id : '_');
      if (initial) {
        if (key) lastAnnounced[key] = text;
        return;
      }
      if (!text || (key && lastAnnounced[key] === text)) return;
      if (key) lastAnnounced[key] = text;
      announce(text);
    });
  }

  /* ------------------------------------------------------------------ */
  /* Confirm before submitting: form[data-confirm] or its submit button   */
  /* ------------------------------------------------------------------ */
  // Capture phase, registered before the other submit handlers run: a cancelled confirm stops
  // data-submit-once, htmx and the upload handler from seeing the submit at all.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute && submitter.getAttribute('data-confirm')) ||
      form.getAttribute('data-confirm');
    if (!message) return;
    if (!window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  /* ------------------------------------------------------------------ */
  /* Upload: form[data-upload]                                            */
  /*                                                                      */
  /* Without this the form is a plain multipart POST. With it: a drop     */
  /* zone (drop a file anywhere on the page), a preview with name, size   */
  /* and Remove, the title prefilled from the file name, checks of type   */
  /* and size before sending, and an XMLHttpRequest upload with a         */
  /* progress bar. The server answers JSON: {"redirect": "/content/…"}    */
  /* (201 new, 200 already in the library) or {"error": {"message": …}}.  */
  /* Messages come translated from the form's data-msg-* attributes.      */
  /* ------------------------------------------------------------------ */
  var UPLOAD_EXTENSIONS = ['pdf', 'txt', 'md', 'markdown'];

  function fileExtension(name) {
    var m = /\.([^.\/\\]+)$/.exec(name || '');
    return m ? m[1].toLowerCase() : '';
  }
  function fillIn(template, values) {
    return String(template || '').replace(/\{(\w+)\}/g, function (all, key) {
      return values[key] !== undefined ? String(values[key]) : all;
    });
  }
  function formatBytes(bytes, form) {
    var lang = document.documentElement.lang || undefined;
    var num = function (n, digits) {
      try { return n.toLocaleString(lang, { maximumFractionDigits: digits }); } catch (e) { return n.toFixed(digits); }
    };
    if (bytes < 1024) return num(bytes, 0) + ' ' + (form.getAttribute('data-unit-bytes') || 'bytes');
    if (bytes < 1048576) return num(bytes / 1024, bytes < 10240 ? 1 : 0) + ' ' + (form.getAttribute('data-unit-kb') || 'KB');
    return num(bytes / 1048576, 1) + ' ' + (form.getAttribute('data-unit-mb') || 'MB');
  }
  function isLocalPath(url) {
    return typeof url === 'string' && /^\/(?![\/\\])/.test(url);
  }
  function hasFiles(event) {
    var types = event.dataTransfer && event.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, 'Files') !== -1;
  }

  function setupUpload(form) {
    if (form.hasAttribute('data-upload-ready')) return;
    form.setAttribute('data-upload-ready', '');
    form.noValidate = true; // our own checks and messages replace the browser's bubbles

    var input = $('input[type="file"]', form);
    if (!input) return;
    var dropzone = $('[data-dropzone]', form);
    var preview = $('[data-file-preview]', form);
    var nameEl = $('[data-file-name]', form);
    var sizeEl = $('[data-file-size]', form);
    var errorText = $('[data-file-error-text]', form);
    var errorEl = errorText ? errorText.parentNode : null;
    var alertBox = $('[data-upload-alert-box]', form);
    var alertText = $('[data-upload-alert-text]', form);
    var progress = $('[data-upload-progress]', form);
    var progressLabel = $('[data-upload-progress-label]', form);
    var progressPct = $('[data-upload-progress-pct]', form);
    var bar = $('[data-upload-bar]', form);
    var fill = $('[data-upload-fill]', form);
    var submit = $('[data-upload-submit]', form) || $('button[type="submit"]', form);
    var removeButton = $('[data-file-remove]', form);
    var title = form.elements.namedItem('title');
    var maxBytes = Number(form.getAttribute('data-max-bytes') || 0);
    var idleLabel = progressLabel ? progressLabel.textContent : '';
    var droppedFile = null; // a dropped file the browser would not let us put into the input
    var autoTitle = '';
    var busy = false;
    var dragDepth = 0;

    if (nameEl && preview) {
      nameEl.id = nameEl.id || 'file-preview-name';
      if (sizeEl) sizeEl.id = sizeEl.id || 'file-preview-size';
      preview.setAttribute('aria-describedby', nameEl.id + (sizeEl ? ' ' + sizeEl.id : ''));
    }

    function msg(name, values) {
      return fillIn(form.getAttribute('data-msg-' + name) || '', values || {});
    }
    function currentFile() {
      return (input.files && input.files[0]) || droppedFile;
    }
    function showFileError(message) {
      if (!errorEl || !errorText) return;
      input.setAttribute('aria-invalid', 'true');
      if (dropzone) dropzone.classList.add('is-invalid');
      errorEl.hidden = false;
      errorText.textContent = '';
      // Set the text a moment after the region is visible so it is announced.
      window.setTimeout(function () { errorText.textContent = message; }, 30);
    }
    function clearFileError() {
      input.removeAttribute('aria-invalid');
      if (dropzone) dropzone.classList.remove('is-invalid');
      if (errorEl) errorEl.hidden = true;
      if (errorText) errorText.textContent = '';
    }
    function showAlert(message) {
      if (!alertBox || !alertText) return;
      alertBox.hidden = false;
      alertText.textContent = '';
      window.setTimeout(function () { alertText.textContent = message; }, 30);
    }
    function hideAlert() {
      if (alertBox) alertBox.hidden = true;
      if (alertText) alertText.textContent = '';
    }
    function validate(file) {
      if (UPLOAD_EXTENSIONS.indexOf(fileExtension(file.name)) === -1) return msg('type', { name: file.name });
      if (maxBytes && file.size > maxBytes) return msg('size', { size: formatBytes(file.size, form) });
      if (file.size === 0) return msg('empty');
      return '';
    }
    function showPreview(file) {
      if (nameEl) { nameEl.textContent = file.name; nameEl.title = file.name; }
      if (sizeEl) sizeEl.textContent = formatBytes(file.size, form);
      if (preview) preview.hidden = false;
      if (dropzone) dropzone.hidden = true;
    }
    function showDropzone() {
      if (preview) preview.hidden = true;
      if (dropzone) dropzone.hidden = false;
    }
    function clearFile() {
      input.value = '';
      droppedFile = null;
      showDropzone();
      if (title && autoTitle && title.value === autoTitle) title.value = '';
      autoTitle = '';
    }
    function prefillTitle(file) {
      if (!title) return;
      if (title.value.trim() === '' || title.value === autoTitle) {
        autoTitle = file.name.replace(/\.[^.]+$/, '').trim().slice(0, 300);
        title.value = autoTitle;
      }
    }
    // Returns true when the file was accepted.
    function choose(file, moveFocus) {
      clearFileError();
      hideAlert();
      if (!file) { clearFile(); return false; }
      var problem = validate(file);
      if (problem) {
        clearFile();
        showFileError(problem);
        if (moveFocus) input.focus();
        return false;
      }
      showPreview(file);
      prefillTitle(file);
      // The input is hidden with the drop zone now: keep focus on the chosen file.
      if (moveFocus && preview) preview.focus();
      return true;
    }

    input.addEventListener('change', function () {
      droppedFile = null;
      choose(input.files && input.files[0], true);
    });
    if (removeButton) {
      removeButton.addEventListener('click', function () {
        if (busy) return;
        clearFile();
        clearFileError();
        hideAlert();
        input.focus();
      });
    }

    // Drag and drop: a file dropped anywhere on the page goes into this form.
    function dragActive(on) {
      if (dropzone) dropzone.classList.toggle('is-dragover', on);
      if (preview) preview.classList.toggle('ring-2', on);
      if (preview) preview.classList.toggle('ring-primary', on);
    }
    document.addEventListener('dragenter', function (event) {
      if (!hasFiles(event) || !document.body.contains(form)) return;
      event.preventDefault();
      dragDepth++;
      if (!busy) dragActive(true);
    });
    document.addEventListener('dragover', function (event) {
      if (!hasFiles(event) || !document.body.contains(form)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = busy ? 'none' : 'copy';
    });
    document.addEventListener('dragleave', function (event) {
      if (!hasFiles(event) || !document.body.contains(form)) return;
      dragDepth = Math.max(0, dragDepth - 1);
      if (dragDepth === 0) dragActive(false);
    });
    document.addEventListener('drop', function (event) {
      if (!hasFiles(event) || !document.body.contains(form)) return;
      event.preventDefault(); // never let the browser navigate away to the file
      dragDepth = 0;
      dragActive(false);
      if (busy) return;
      var file = event.dataTransfer.files && event.dataTransfer.files[0];
      if (!file) return;
      droppedFile = null;
      try {
        var transfer = new DataTransfer();
        transfer.items.add(file);
        input.files = transfer.files;
      } catch (e) {
        droppedFile = file;
      }
      if (!input.files || !input.files.length) droppedFile = file;
      choose(file, true);
    });

    if (title) {
      title.addEventListener('input', function () {
        if (title.value !== autoTitle) autoTitle = '';
      });
    }

    function setProgress(pct) {
      pct = Math.max(0, Math.min(100, Math.floor(pct)));
      if (bar) bar.setAttribute('aria-valuenow', String(pct));
      if (fill) fill.style.width = pct + '%'; // CSSOM, allowed by the CSP (no style attribute in HTML)
      if (progressPct) progressPct.textContent = pct + '%';
    }
    function setBusy(on) {
      busy = on;
      if (on) form.setAttribute('aria-busy', 'true');
      else form.removeAttribute('aria-busy');
      if (submit) submit.disabled = on;
      if (removeButton) removeButton.disabled = on;
      input.disabled = on;
      $all('input[type="text"], textarea', form).forEach(function (el) { el.readOnly = on; });
    }
    function resetProgress() {
      if (progress) progress.hidden = true;
      if (progressLabel) progressLabel.textContent = idleLabel;
      setProgress(0);
    }
    function fail(message) {
      setBusy(false);
      resetProgress();
      showAlert(message);
    }

    form.addEventListener('submit', function (event) {
      if (event.defaultPrevented) return;
      event.preventDefault();
      if (busy) return;
      hideAlert();
      var file = currentFile();
      if (!file) {
        showFileError(msg('missing'));
        input.focus();
        return;
      }
      var problem = validate(file);
      if (problem) {
        clearFile();
        showFileError(problem);
        input.focus();
        return;
      }

      var data = new FormData(form);
      if (droppedFile && !(input.files && input.files.length)) data.set('file', droppedFile, droppedFile.name);
      var xhr = new XMLHttpRequest();
      xhr.open('POST', form.action);
      xhr.setRequestHeader('X-Requested-With', 'XMLHttpRequest');
      // JSON errors also from the middleware (413, CSRF), not an HTML error page.
      xhr.setRequestHeader('Accept', 'application/json');
      var token = form.elements.namedItem('csrf_token');
      if (token && token.value) xhr.setRequestHeader('X-CSRF-Token', token.value);

      xhr.upload.addEventListener('progress', function (e) {
        if (e.lengthComputable && e.total) setProgress((e.loaded / e.total) * 100);
      });
      xhr.upload.addEventListener('load', function () {
        setProgress(100);
        if (progressLabel) progressLabel.textContent = msg('saving');
      });
      xhr.addEventListener('load', function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        if (xhr.status >= 200 && xhr.status < 300) {
          if (body && isLocalPath(body.redirect)) { window.location.assign(body.redirect); return; }
          // A redirect the browser already followed (an HTML answer): go where it went.
          if (!body && xhr.responseURL && xhr.responseURL.split('#')[0] !== form.action) {
            window.location.assign(xhr.responseURL);
            return;
          }
        }
        var message = body && body.error && body.error.message;
        if (!message) message = xhr.status === 413 ? msg('too-large') : msg('failed');
        fail(message);
      });
      xhr.addEventListener('error', function () { fail(msg('network')); });
      xhr.addEventListener('timeout', function () { fail(msg('network')); });
      xhr.addEventListener('abort', function () { setBusy(false); resetProgress(); });

      setBusy(true);
      if (progress) progress.hidden = false;
      setProgress(0);
      xhr.send(data);
    });

    // Coming back with the back button (bfcache) after an upload: usable again.
    window.addEventListener('pageshow', function (event) {
      if (event.persisted && busy) { setBusy(false); resetProgress(); }
    });

    // The browser may restore a chosen file (form restore on back/forward).
    if (input.files && input.files[0]) choose(input.files[0], false);
  }

  /* ------------------------------------------------------------------ */
  /* Phone tabs: [data-tabs] holds a [role=tablist] and [data-tab-panel]s */
  /* ------------------------------------------------------------------ */
  // Below 640 px only the selected panel shows (CSS hides .tab-hidden there); wider, every
  // panel shows and the tab list is hidden. Without JavaScript the panels simply stack.
  function setupTabs(box) {
    if (box.dataset.tabsReady) return;
    box.dataset.tabsReady = '1';
    var list = $('[role="tablist"]', box);
    if (!list) return;
    var tabs = $all('[role="tab"]', list);
    function select(tab, focus) {
      tabs.forEach(function (t) {
        var on = t === tab;
        t.setAttribute('aria-selected', on ? 'true' : 'false');
        t.tabIndex = on ? 0 : -1;
        var panel = document.getElementById(t.getAttribute('aria-controls'));
        if (panel) panel.classList.toggle('tab-hidden', !on);
      });
      if (focus) tab.focus();
      box.dataset.activeTab = tab.dataset.tab || '';
    }
    tabs.forEach(function (tab, i) {
      tab.addEventListener('click', function () { select(tab, false); });
      tab.addEventListener('keydown', function (event) {
        var next = null;
        if (event.key === 'ArrowRight') next = tabs[(i + 1) % tabs.length];
        else if (event.key === 'ArrowLeft') next = tabs[(i - 1 + tabs.length) % tabs.length];
        else if (event.key === 'Home') next = tabs[0];
        else if (event.key === 'End') next = tabs[tabs.length - 1];
        if (next) { event.preventDefault(); select(next, true); }
      });
    });
    list.hidden = false;
    var initial = tabs.filter(function (t) { return t.getAttribute('aria-selected') === 'true'; })[0];
    select(initial || tabs[0], false);
  }

  /* ------------------------------------------------------------------ */
  /* Drafts: [data-draft=KEY] fields keep what the learner typed in       */
  /* localStorage until the server has it, so a failed send, an expired   */
  /* sign-in or a reload loses nothing.                                   */
  /* ------------------------------------------------------------------ */
  var DRAFT_PREFIX = 'lo-draft:';
  function draftStore() {
    try { return window.localStorage; } catch (e) { return null; }
  }
  function draftKey(field) {
    return DRAFT_PREFIX + field.getAttribute('data-draft');
  }
  function readDraft(field) {
    var store = draftStore();
    return store ? store.getItem(draftKey(field)) : null;
  }
  function keepDraft(field) {
    var store = draftStore();
    if (!store) return;
    try {
      if (field.value.trim()) store.setItem(draftKey(field), field.value);
      else store.removeItem(draftKey(field));
    } catch (e) { /* storage full or refused: the text is still in the box */ }
  }
  // Forget the draft once the server has this text (not a later edit of it).
  function dropDraft(field, sent) {
    var store = draftStore();
    if (!store) return;
    var kept = store.getItem(draftKey(field));
    if (kept !== null && (sent === undefined || kept === sent)) store.removeItem(draftKey(field));
  }
  function restoreDraft(field) {
    var kept = readDraft(field);
    if (kept === null || kept === field.value) return;
    field.value = kept;
    field.setAttribute('data-draft-restored', '');
    // A restored note saves itself (its form saves on input), once htmx has set it up.
    if (field.form && field.form.hasAttribute('data-note-form')) field.setAttribute('data-draft-save', '');
  }
  // Called once htmx has set up `root` (htmx:load), so a restored note counts as a change.
  function restoreDrafts(root) {
    var fields = $all('[data-draft]', root);
    if (root.matches && root.matches('[data-draft]')) fields.push(root);
    fields.forEach(restoreDraft);
    fields.forEach(function (field) {
      if (!field.hasAttribute('data-draft-save')) return;
      field.removeAttribute('data-draft-save');
      field.dispatchEvent(new Event('input', { bubbles: true }));
    });
  }
  function clearAllDrafts() {
    var store = draftStore();
    if (!store) return;
    for (var i = store.length - 1; i >= 0; i--) {
      var key = store.key(i);
      if (key && key.indexOf(DRAFT_PREFIX) === 0) store.removeItem(key);
    }
  }
  window.LearningOS.drafts = { keep: keepDraft, drop: dropDraft, read: readDraft, restore: restoreDraft };
  document.addEventListener('input', function (event) {
    var t = event.target;
    if (t && t.hasAttribute && t.hasAttribute('data-draft')) keepDraft(t);
  });
  // htmx forms (notes, "Ask your material"): the draft goes once the request succeeded.
  document.addEventListener('htmx:beforeRequest', function (event) {
    var elt = event.detail && event.detail.elt;
    if (!elt || !elt.querySelectorAll) return;
    $all('[data-draft]', elt).forEach(function (f) { f.setAttribute('data-draft-sending', f.value); });
  });
  document.addEventListener('htmx:afterRequest', function (event) {
    var elt = event.detail && event.detail.elt;
    if (!elt || !elt.querySelectorAll || !event.detail.successful) return;
    $all('[data-draft]', elt).forEach(function (f) {
      dropDraft(f, f.getAttribute('data-draft-sending'));
      f.removeAttribute('data-draft-restored');
    });
  });
  // Dialogs: the native modal keeps focus inside, Escape closes it, focus returns after.
  document.addEventListener('click', function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var opener = target.closest('[data-dialog]');
    var dialog = opener && document.getElementById(opener.getAttribute('data-dialog'));
    if (dialog && typeof dialog.showModal === 'function') {
      event.preventDefault();
      if (!dialog.open) dialog.showModal();
      return;
    }
    var closer = target.closest('[data-dialog-close]');
    var open = closer && closer.closest('dialog');
    if (open) open.close();
  });
  // Signing out leaves nothing of this learner's text on the device.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && /\/logout$/.test(form.getAttribute('action') || '')) clearAllDrafts();
  });

  /* ------------------------------------------------------------------ */
  /* Init (also for content that htmx swaps in)                           */
  /* ------------------------------------------------------------------ */
  function init(root) {
    $all('[data-toast]', root).forEach(armToast);
    if (root.matches && root.matches('[data-toast]')) armToast(root);
    $all('[data-password-strength]', root).forEach(function (el) { if (el.value) updateStrength(el); });
    $all('[data-match]', root).forEach(function (el) { if (el.value) updateMatch(el); });
    $all('[data-tabs]', root).forEach(setupTabs);
    $all('form[data-upload]', root).forEach(setupUpload);
    if (root.matches && root.matches('form[data-upload]')) setupUpload(root);
  }
  onReady(function () {
    // A live region only announces what is added after load: re-add the server's flash toast
    // a moment later so screen readers read it out.
    var region = document.getElementById('toast-region');
    var initial = region ? $all('[data-toast]', region) : [];
    initial.forEach(function (t) { region.removeChild(t); });
    init(document);
    liveRegion();
    checkAnnouncements(document, true);
    window.setTimeout(function () {
      initial.forEach(function (t) { region.appendChild(t); armToast(t); });
    }, 150);
  });
  document.addEventListener('htmx:load', function (event) {
    var root = event.target;
    if (!root) return;
    init(root);
    restoreDrafts(root);
    // htmx also fires this for the whole page once at start: nothing new to read out then.
    if (root !== document.body && root !== document.documentElement) checkAnnouncements(root, false);
  });
})();
