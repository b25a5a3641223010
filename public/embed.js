/*! Wendan loader: ordering on any page with one script tag.
 * <script src="https://ORDER-HOST/embed.js" data-table="A12" data-lang="zh-CN" data-label="点餐" async></script>
 * The widget runs in an iframe on the ordering origin: its storage, service
 * worker and the diner's orders never enter this page. See the README,
 * "Add ordering to your website", for attributes, events and commands. */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || window.Wendan) return;
  var ORIGIN = new URL(script.src).origin;
  var HOST = location.origin;
  var data = script.dataset;
  // Every language's words, written in by the build (`cargo xtask build`)
  // from the product's one dictionary per language (`wendan-words`).
  var WORDS = /*__LOADER_WORDS__*/{ fallback: '', languages: [] };
  var words = wordsFor(data.lang || document.documentElement.lang || navigator.language || '');
  var label = data.label || words.order;
  var closeLabel = words.close;
  var isOpen = false;
  var ready = false;
  var queue = [];
  var pushed = false;
  var returnFocus = null;
  var overflow = '';
  var dialog, frame, button, badge;

  var CSS =
    '.wendan-button{position:fixed;right:1rem;bottom:1rem;z-index:2147483000;min-height:48px;min-width:48px;' +
    'padding:0 1.25rem;border:0;border-radius:var(--wendan-radius,24px);background:var(--wendan-color,#b3261e);' +
    'color:#fff;font:600 1rem/1 system-ui,sans-serif;box-shadow:0 2px 8px rgba(0,0,0,.3);cursor:pointer}' +
    '.wendan-button.wendan-inline{position:static;box-shadow:none}' +
    '.wendan-button:focus-visible{outline:3px solid #1a56db;outline-offset:2px}' +
    '.wendan-count{display:inline-block;margin-left:.5rem;min-width:1.5em;padding:.2em .4em;border-radius:1em;' +
    'background:#fff;color:var(--wendan-color,#b3261e)}.wendan-count:empty{display:none}' +
    '.wendan-dialog{position:fixed;inset:0;width:100%;height:100%;max-width:100%;max-height:100%;margin:0;padding:0;' +
    'border:0;background:#fff}.wendan-dialog::backdrop{background:rgba(0,0,0,.45)}' +
    '.wendan-frame{display:block;width:100%;height:100%;border:0}' +
    '.wendan-close{position:absolute;top:.5rem;right:.5rem;min-width:44px;min-height:44px;border:0;' +
    'border-radius:22px;background:rgba(0,0,0,.55);color:#fff;font:1.5rem/1 system-ui,sans-serif;cursor:pointer}' +
    '.wendan-close:focus-visible{outline:3px solid #1a56db;outline-offset:2px}' +
    '@media (min-width:768px){.wendan-dialog{left:auto;width:min(28rem,100vw);' +
    'box-shadow:-4px 0 16px rgba(0,0,0,.3)}}';

  // A constructed stylesheet is CSSOM: it works under a host page's CSP that
  // forbids inline styles. Older browsers get a <style> element.
  function addStyles() {
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      document.adoptedStyleSheets = document.adoptedStyleSheets.concat(sheet);
    } catch (e) {
      var style = document.createElement('style');
      style.textContent = CSS;
      document.head.appendChild(style);
    }
  }

  // The page's language as the widget reads it: the exact tag, else the
  // same language in the same script (zh-HK reads Traditional Chinese, by
  // the browser's own likely-subtags data), else the same language, else
  // the widget's fallback.
  function wordsFor(tag) {
    var wanted = String(tag).toLowerCase();
    var script = '';
    try {
      var likely = new Intl.Locale(tag).maximize();
      script = (likely.language + '-' + likely.script).toLowerCase();
    } catch (e) { /* no Intl.Locale, or not a tag: match on the language alone */ }
    var first = function (test) {
      return WORDS.languages.filter(test)[0];
    };
    var found = first(function (language) { return language.tag.toLowerCase() === wanted; }) ||
      first(function (language) { return language.script.toLowerCase() === script; }) ||
      first(function (language) { return language.tag.split('-')[0] === wanted.split(/[-_]/)[0]; }) ||
      first(function (language) { return language.tag === WORDS.fallback; });
    return found ? found.words : { order: '', close: '' };
  }

  function element(tag, className) {
    var node = document.createElement(tag);
    node.className = className;
    return node;
  }

  function widgetUrl() {
    var params = new URLSearchParams({ embed: '1', host: HOST });
    ['table', 'code', 'lang', 'color', 'radius', 'logo'].forEach(function (name) {
      if (data[name]) params.set(name, data[name]);
    });
    return ORIGIN + '/?' + params.toString();
  }

  function mount() {
    addStyles();
    button = element('button', 'wendan-button');
    button.type = 'button';
    button.setAttribute('aria-haspopup', 'dialog');
    button.appendChild(document.createTextNode(label));
    badge = element('span', 'wendan-count');
    badge.setAttribute('aria-hidden', 'true');
    button.appendChild(badge);
    button.addEventListener('click', open);
    var target = data.target && (document.getElementById(data.target) || document.querySelector(data.target));
    if (target) button.classList.add('wendan-inline');
    (target || document.body).appendChild(button);

    dialog = element('dialog', 'wendan-dialog');
    dialog.setAttribute('aria-label', label);
    frame = element('iframe', 'wendan-frame');
    frame.title = label;
    frame.src = widgetUrl();
    var close = element('button', 'wendan-close');
    close.type = 'button';
    close.setAttribute('aria-label', closeLabel);
    close.textContent = '\u00d7';
    close.addEventListener('click', function () { closeOverlay(); });
    dialog.appendChild(frame);
    dialog.appendChild(close);
    // Escape while focus is on this page: close our way (history, focus).
    dialog.addEventListener('cancel', function (event) {
      event.preventDefault();
      closeOverlay();
    });
    document.body.appendChild(dialog);
    window.addEventListener('popstate', function () {
      if (isOpen) {
        pushed = false;
        closeOverlay();
      }
    });
  }

  function open() {
    if (isOpen || !dialog) return;
    isOpen = true;
    returnFocus = document.activeElement;
    overflow = document.documentElement.style.overflow;
    document.documentElement.style.overflow = 'hidden';
    dialog.showModal();
    frame.focus();
    // The phone's back gesture closes the overlay, not the restaurant's page.
    history.pushState({ wendan: 'open' }, '');
    pushed = true;
  }

  function closeOverlay() {
    if (!isOpen) return;
    isOpen = false;
    dialog.close();
    document.documentElement.style.overflow = overflow;
    if (pushed) {
      pushed = false;
      history.back();
    }
    if (returnFocus && returnFocus.focus) returnFocus.focus();
  }

  /** A command to the widget, with its exact origin; queued until it is ready. */
  function tell(type, payload) {
    var message = Object.assign({ type: type }, payload);
    if (ready && frame.contentWindow) frame.contentWindow.postMessage(message, ORIGIN);
    else queue.push(message);
  }

  function setCount(count) {
    badge.textContent = count > 0 ? String(count) : '';
    button.setAttribute('aria-label', count > 0 ? label + ' (' + count + ')' : label);
  }

  function applyTheme(theme) {
    if (!theme) return;
    if (theme.color) document.documentElement.style.setProperty('--wendan-color', theme.color);
    if (theme.radius_px != null) document.documentElement.style.setProperty('--wendan-radius', theme.radius_px + 'px');
  }

  window.addEventListener('message', function (event) {
    var message = event.data;
    if (!message || typeof message.type !== 'string') return;
    if (event.origin === ORIGIN && frame && event.source === frame.contentWindow) {
      if (message.type === 'wendan:ready') {
        ready = true;
        applyTheme(message.theme);
        queue.splice(0).forEach(function (queued) {
          frame.contentWindow.postMessage(queued, ORIGIN);
        });
      } else if (message.type === 'wendan:cart') {
        setCount(message.count);
      } else if (message.type === 'wendan:close-request') {
        closeOverlay();
      }
    } else if (event.origin === HOST && event.source === window) {
      command(message);
    }
  });

  function command(message) {
    switch (message.type) {
      case 'wendan:open': return open();
      case 'wendan:close': return closeOverlay();
      case 'wendan:set-table': return tell('wendan:set-table', { table: String(message.table || ''), code: String(message.code || '') });
      case 'wendan:set-language': return tell('wendan:set-language', { lang: String(message.lang || '') });
    }
  }

  window.Wendan = {
    open: open,
    close: closeOverlay,
    setTable: function (table, code) { command({ type: 'wendan:set-table', table: table, code: code }); },
    setLanguage: function (lang) { command({ type: 'wendan:set-language', lang: lang }); },
  };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount);
  else mount();
})();
