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

  // Network / server errors on htmx requests: tell the user instead of failing silently.
  function htmxFailed(event) {
    var region = document.getElementById('toast-region');
    if (!region) return;
    var xhr = event.detail && event.detail.xhr;
    var msg = xhr && xhr.status >= 500 ? region.getAttribute('data-msg-server-error')
      : region.getAttribute('data-msg-network-error');
    if (event.type === 'htmx:responseError' && xhr && xhr.status < 500) msg = region.getAttribute('data-msg-request-error');
    showToast(msg, 'error');
  }
  document.addEventListener('htmx:responseError', htmxFailed);
  document.addEventListener('htmx:sendError', htmxFailed);

  /* ------------------------------------------------------------------ */
  /* Init (also for content that htmx swaps in)                           */
  /* ------------------------------------------------------------------ */
  function init(root) {
    $all('[data-toast]', root).forEach(armToast);
    if (root.matches && root.matches('[data-toast]')) armToast(root);
    $all('[data-password-strength]', root).forEach(function (el) { if (el.value) updateStrength(el); });
    $all('[data-match]', root).forEach(function (el) { if (el.value) updateMatch(el); });
  }
  onReady(function () {
    // A live region only announces what is added after load: re-add the server's flash toast
    // a moment later so screen readers read it out.
    var region = document.getElementById('toast-region');
    var initial = region ? $all('[data-toast]', region) : [];
    initial.forEach(function (t) { region.removeChild(t); });
    init(document);
    window.setTimeout(function () {
      initial.forEach(function (t) { region.appendChild(t); armToast(t); });
    }, 150);
  });
  document.addEventListener('htmx:load', function (event) { if (event.target) init(event.target); });
})();
