/*
 * paygate checkout.js: opens the hosted checkout in a modal iframe over the
 * merchant's page and reports the result.
 *
 *   <script src="https://GATEWAY/checkout.js"></script>
 *   const c = new PayGate({ key, order_id, onSuccess, onFailure, onClose, onAuthentication });
 *   c.open();
 *
 * onAuthentication({payment_id, order_id, type}) says that the shopper is
 * being asked to authenticate (type "otp" or "upi_approve"), which happens in
 * the modal; onSuccess or onFailure follows.
 *
 * Messages from the iframe are trusted only when they come from the gateway's
 * origin (where this script was loaded from) and from this modal's frame.
 * See docs/CHECKOUT.md.
 */
(function () {
  'use strict';

  var script = document.currentScript;
  var GATEWAY = script && script.src ? new URL(script.src).origin : location.origin;

  function PayGate(options) {
    if (!(this instanceof PayGate)) return new PayGate(options);
    options = options || {};
    if (!options.order_id) throw new Error('PayGate: order_id is required');
    this.options = options;
    this.overlay = null;
    this.frame = null;
    this.onMessage = this.onMessage.bind(this);
    this.onKey = this.onKey.bind(this);
  }

  PayGate.prototype.open = function () {
    if (this.overlay) return this;
    var o = this.options;
    var url = new URL('/checkout', GATEWAY);
    url.searchParams.set('order_id', o.order_id);
    if (o.key) url.searchParams.set('key_id', o.key);
    url.searchParams.set('embed', '1');
    url.searchParams.set('parent_origin', location.origin);

    var overlay = document.createElement('div');
    overlay.setAttribute('data-paygate', 'overlay');
    overlay.setAttribute('role', 'dialog');
    overlay.setAttribute('aria-modal', 'true');
    overlay.setAttribute('aria-label', 'Payment');
    setStyle(overlay, {
      position: 'fixed', inset: '0', zIndex: '2147483000', background: 'rgba(15, 20, 35, 0.6)',
      display: 'flex', alignItems: 'center', justifyContent: 'center',
    });
    var frame = document.createElement('iframe');
    frame.src = url.toString();
    frame.title = 'PayGate checkout';
    frame.setAttribute('allow', 'payment');
    setStyle(frame, {
      border: '0', width: '100%', maxWidth: '480px', height: '100%', maxHeight: '680px',
      background: 'transparent', borderRadius: '12px',
    });
    overlay.appendChild(frame);
    document.body.appendChild(overlay);
    this.previousFocus = document.activeElement;
    this.previousOverflow = document.body.style.overflow;
    document.body.style.overflow = 'hidden';
    this.overlay = overlay;
    this.frame = frame;
    window.addEventListener('message', this.onMessage);
    document.addEventListener('keydown', this.onKey);
    frame.focus();
    return this;
  };

  // Closes the modal; onClose is called once.
  PayGate.prototype.close = function () {
    if (!this.overlay) return;
    window.removeEventListener('message', this.onMessage);
    document.removeEventListener('keydown', this.onKey);
    this.overlay.remove();
    this.overlay = null;
    this.frame = null;
    document.body.style.overflow = this.previousOverflow || '';
    if (this.previousFocus && this.previousFocus.focus) this.previousFocus.focus();
    call(this.options.onClose);
  };

  PayGate.prototype.onKey = function (e) {
    if (e.key === 'Escape') this.close();
  };

  PayGate.prototype.onMessage = function (e) {
    if (e.origin !== GATEWAY || !this.frame || e.source !== this.frame.contentWindow) return;
    var m = e.data;
    if (!m || m.source !== 'paygate') return;
    if (m.type === 'success') {
      call(this.options.onSuccess, { payment_id: m.payment_id, order_id: m.order_id, status: m.status });
    } else if (m.type === 'failure') {
      // The checkout stays open, so the shopper can try again.
      call(this.options.onFailure, {
        payment_id: m.payment_id, order_id: m.order_id, status: m.status, error: m.error,
      });
    } else if (m.type === 'authentication') {
      call(this.options.onAuthentication, { payment_id: m.payment_id, order_id: m.order_id, type: m.step });
    } else if (m.type === 'close') {
      this.close();
    }
  };

  function setStyle(el, styles) {
    for (var k in styles) el.style[k] = styles[k];
  }

  function call(fn, arg) {
    if (typeof fn !== 'function') return;
    try {
      fn(arg);
    } catch (err) {
      setTimeout(function () { throw err; });
    }
  }

  PayGate.origin = GATEWAY;
  window.PayGate = PayGate;
})();
