/*
 * Learning OS — the learning page (/learn/{id}); loaded after app.js on that page only.
 *
 *   form[data-stream-url]   the input bar. Actions that end in a tutor reply go to the session
 *                           stream (server-sent events over fetch): the reply shows as it is
 *                           written, then the page is brought up to date (see refresh). Without
 *                           fetch streams the form simply posts.
 *
 * What the learner typed is never lost: it is kept in localStorage ([data-draft], app.js)
 * until the server has it. An expired sign-in is renewed silently and the message sent again;
 * any other failure leaves the text in the box (or, when the session moved on in another tab
 * to where the box is gone, shown under the chat) with a toast in the learner's words.
 * After every update the focus moves to the first new message (or the next action) and a
 * short summary is read out through the page's live region.
 * Messages come translated from the form's data-msg-* attributes.
 */
(function () {
  'use strict';

  var LO = window.LearningOS || {};
  var STREAMED = ['answer', 'ask', 'continue', 'start'];

  function $all(sel, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(sel));
  }
  function csrfToken() {
    var match = document.cookie.match(/(?:^|; )lo_csrf=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : '';
  }
  function toast(message, level) {
    if (LO.showToast) LO.showToast(message, level);
  }
  function announce(text) {
    if (LO.announce && text) LO.announce(text);
  }

  function streamEvents(response, onEvent) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = '';
    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) return;
        buffer += decoder.decode(chunk.value, { stream: true });
        var parts = buffer.split('\n\n');
        buffer = parts.pop();
        parts.forEach(function (block) {
          var name = 'message', data = '';
          block.split('\n').forEach(function (line) {
            if (line.indexOf('event: ') === 0) name = line.slice(7);
            else if (line.indexOf('data: ') === 0) data += line.slice(6);
          });
          try { onEvent(name, JSON.parse(data || '{}')); } catch (e) { /* a malformed event is skipped */ }
        });
        return pump();
      });
    }
    return pump();
  }

  /* What went wrong, as one of: signed-out, stale (the session moved on elsewhere), network,
     server (with the server's words). */
  function failureOf(status, error) {
    var code = error && error.code;
    var details = (error && error.details) || {};
    if (status === 401 || code === 'not_authenticated' || code === 'invalid_token') return { kind: 'signed-out' };
    if (code === 'conflict' && (details.state || details.session_id)) return { kind: 'stale' };
    return { kind: 'server', message: (error && error.message) || '' };
  }

  // Any page request renews an expired access cookie from the refresh cookie.
  function renewSignIn(form) {
    return fetch(form.getAttribute('data-panel-url'), {
      credentials: 'same-origin', headers: { 'HX-Request': 'true' }
    }).then(function (r) { return r.ok; }, function () { return false; });
  }

  // Resolves to null when the server saved the turn, else to a failure.
  function send(form, body, live, renewed) {
    var text = live && live.querySelector('[data-stream-text]');
    return fetch(form.getAttribute('data-stream-url'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken() },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (response.status === 401 && !renewed) {
        return renewSignIn(form).then(function (ok) {
          return ok ? send(form, body, live, true) : { kind: 'signed-out' };
        });
      }
      if (!response.ok || !response.body) {
        return response.json().then(function (problem) {
          return failureOf(response.status, problem && problem.error);
        }, function () { return { kind: 'server', message: '' }; });
      }
      var failure = null, saved = false;
      return streamEvents(response, function (name, data) {
        if (name === 'delta' && text) {
          live.hidden = false;
          text.textContent += data.text;
        } else if (name === 'reset' && text) {
          text.textContent = '';
        } else if (name === 'session') {
          saved = true;
        } else if (name === 'error') {
          failure = failureOf(200, data.error || data);
        }
      }).then(function () {
        return failure || (saved ? null : { kind: 'network' });
      });
    }, function () { return { kind: 'network' }; });
  }

  function shownConcept() {
    var panel = document.getElementById('concept-panel');
    return panel ? panel.getAttribute('data-concept-id') || '' : '';
  }
  function messageIds() {
    return $all('#conversation [data-message-id]').map(function (el) { return el.getAttribute('data-message-id'); });
  }

  /* Bring the page up to date: the session panel, and out of band the title, the concept
     card, the milestone and (when the concept changed) the notes panel. Resolves to false
     when the page could not be reached. */
  function refresh(form) {
    var url = form.getAttribute('data-panel-url') + '?shown=' + encodeURIComponent(shownConcept());
    return fetch(url, { credentials: 'same-origin', headers: { 'HX-Request': 'true' } }).then(function (r) {
      if (r.status === 204 && r.headers.get('HX-Redirect')) {
        window.location.assign(r.headers.get('HX-Redirect'));
        return false;
      }
      if (!r.ok) return false;
      return r.text().then(function (html) {
        return new Promise(function (resolve) {
          window.htmx.swap('#session-panel', html, { swapStyle: 'innerHTML', swapDelay: 0, settleDelay: 0 },
            { afterSettleCallback: function () { resolve(true); } });
        });
      });
    }, function () { return false; });
  }

  /* Focus: the first new message, else the next action; a short summary is read out. */
  function focusAfterUpdate(before, failed) {
    var panel = document.getElementById('session-panel');
    if (!panel) return;
    var fresh = $all('#conversation [data-message-id]', panel).filter(function (el) {
      return before.indexOf(el.getAttribute('data-message-id')) === -1;
    });
    var target = null;
    if (fresh.length && !failed) {
      target = fresh[0];
      announce(fresh.map(function (el) { return el.getAttribute('data-summary') || ''; }).join(' '));
    } else {
      target = panel.querySelector('[data-kept-text]') || panel.querySelector('textarea[name="message"]') ||
        panel.querySelector('form[data-stream-url] button:not([disabled])') ||
        panel.querySelector('button:not([disabled]), a[href]');  // e.g. Resume after Pause
    }
    if (target) target.focus({ preventScroll: false });
  }

  function message(form, name) {
    return form.getAttribute('data-msg-' + name) || '';
  }

  /* The learner's text could not go where it was typed (the box is gone or is now for
     another concept): show it under the chat, so it can be copied. */
  function showKept(panel, template, value) {
    if (!template || !template.content) return;
    var kept = template.content.firstElementChild.cloneNode(true);
    var slot = kept.querySelector('[data-kept-value]');
    if (slot) slot.textContent = value;
    var bar = panel.querySelector('form[data-stream-url]');
    if (bar) bar.parentNode.insertBefore(kept, bar);
    else panel.appendChild(kept);
  }

  function restoreText(failedField, value, key) {
    var panel = document.getElementById('session-panel');
    if (!panel || !value) return;
    var field = panel.querySelector('textarea[name="message"]');
    if (field && field.getAttribute('data-draft') === key) {
      if (field.value !== value) field.value = value;
      if (LO.drafts) LO.drafts.keep(field);
    } else if (field !== failedField) {
      showKept(panel, document.getElementById('kept-text-template'), value);
    }
  }

  function wording(form, failure, stillThere) {
    if (failure.kind === 'signed-out') return message(form, 'signed-out');
    if (failure.kind === 'stale') return message(form, stillThere ? 'stale' : 'stale-kept');
    if (failure.kind === 'network') return message(form, 'network');
    return (failure.message ? failure.message + ' ' : '') + message(form, 'kept');
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-stream-url')) return;
    var button = event.submitter;
    var action = button && button.value;
    if (!action || STREAMED.indexOf(action) < 0 || !window.fetch || !window.ReadableStream || !window.htmx) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    var live = document.querySelector(form.getAttribute('data-stream-target'));
    var conversation = document.getElementById('conversation');
    var field = form.querySelector('textarea[name="message"]');
    var value = field ? field.value : '';
    var key = field ? field.getAttribute('data-draft') : '';
    if (field && LO.drafts) LO.drafts.keep(field);
    var body = {
      session_id: form.querySelector('input[name="session_id"]').value,
      action: action,
      message: field ? value : null,
      client_id: 'c' + Date.now().toString(36) + Math.random().toString(36).slice(2, 8)
    };
    var before = messageIds();
    var buttons = $all('button', form);
    buttons.forEach(function (b) { b.disabled = true; });
    if (conversation) conversation.setAttribute('aria-busy', 'true');

    send(form, body, live, false).then(function (failure) {
      if (!failure && field && LO.drafts) LO.drafts.drop(field, value);
      var next = failure && failure.kind === 'signed-out' ? Promise.resolve(false) : refresh(form);
      return next.then(function (updated) {
        if (!updated) {  // the old panel stays: give it back as it was
          buttons.forEach(function (b) { b.disabled = false; });
          if (conversation) conversation.setAttribute('aria-busy', 'false');
          if (live) live.hidden = true;
          if (field && field.isConnected) field.value = value;
          if (!failure) window.location.reload();
        } else if (failure && field) {
          restoreText(field, value, key);
        }
        if (failure) {
          var box = document.querySelector('#session-panel textarea[name="message"]');
          var stillThere = !!box && box.getAttribute('data-draft') === key;
          toast(wording(form, failure, stillThere || !field), 'error');
        }
        focusAfterUpdate(before, !!failure);
      });
    });
  }, true);

  /* The notes panel is replaced when the concept changes: a note typed a moment ago and not
     yet saved is saved first, under the concept it was written beside. */
  document.addEventListener('htmx:oobBeforeSwap', function (event) {
    var target = event.detail && event.detail.target;
    if (!target || target.id !== 'notes-panel') return;
    var form = target.querySelector('form[data-note-form]');
    var field = form && form.querySelector('textarea[data-draft]');
    if (!field || !LO.drafts || LO.drafts.read(field) === null) return;
    var value = field.value;
    var data = new URLSearchParams(new FormData(form));
    fetch(form.getAttribute('action'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'HX-Request': 'true', 'X-CSRF-Token': csrfToken() },
      body: data
    }).then(function (r) {
      if (r.ok) LO.drafts.drop(field, value);
    }, function () { /* kept in localStorage: restored when this concept is shown again */ });
  });

  /* Back/Forward may restore this page from the browser's cache as it was: read it afresh
     (what was typed is in localStorage and comes back). */
  window.addEventListener('pageshow', function (event) {
    if (event.persisted) window.location.reload();
  });

  /* Pause / resume swap the session panel through htmx: the next action gets the focus. */
  var htmxBefore = [];
  document.addEventListener('htmx:beforeRequest', function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.closest && elt.closest('#session-panel')) htmxBefore = messageIds();
  });
  document.addEventListener('htmx:afterSettle', function (event) {
    var target = event.detail && event.detail.target;
    var elt = event.detail && event.detail.elt;
    if (target && target.id === 'session-panel' && elt && elt.closest) focusAfterUpdate(htmxBefore, false);
  });
})();
