/*
 * paygate's Razorpay Checkout, served at /v1/checkout.js: a page written for
 * Razorpay's checkout.js works when only the script's URL changes.
 *
 *   <script src="https://GATEWAY/v1/checkout.js"></script>
 *   const rzp = new Razorpay({ key, order_id, name, description, image, handler,
 *     prefill: { name, email, contact, method }, notes, theme: { color },
 *     modal: { ondismiss, escape, backdropclose } });
 *   rzp.on('payment.failed', (response) => { response.error.code, ... });
 *   rzp.open();  rzp.close();
 *
 * It opens paygate's hosted checkout (/checkout) in a modal iframe, as the
 * seed's own /checkout.js does. When the checkout reports a payment, this
 * script asks /v1/checkout/payments/{id} for Razorpay's result: a successful
 * payment comes with razorpay_signature (HMAC-SHA256 of "order_id|payment_id"
 * under the key secret, made by the server: this page never sees a secret),
 * a failed one with Razorpay's error object. Messages from the iframe are
 * trusted only from the gateway's origin and from this modal's frame.
 * See docs/CHECKOUT.md.
 */
(function () {
  'use strict';

  var script = document.currentScript;
  var GATEWAY = script && script.src ? new URL(script.src).origin : location.origin;
  // The checkout reports a payment once it is final; its result is asked
  // again only while the server still says otherwise.
  var RESULT_TRIES = 40;
  var RESULT_RETRY_MS = 250;

  function Razorpay(options) {
    if (!(this instanceof Razorpay)) return new Razorpay(options);
    options = options || {};
    if (!options.order_id) {
      // Razorpay takes payments without an order too; paygate's checkout pays orders.
      throw new Error('Razorpay (paygate): order_id is required: create the order with POST /v1/orders');
    }
    this.options = options;
    this.listeners = {};
    this.overlay = null;
    this.frame = null;
    this.paid = false;
    this.onMessage = this.onMessage.bind(this);
    this.onKey = this.onKey.bind(this);
  }

  // Razorpay's events: 'payment.failed' is the one paygate's checkout raises.
  Razorpay.prototype.on = function (event, fn) {
    if (typeof fn === 'function') (this.listeners[event] = this.listeners[event] || []).push(fn);
    return this;
  };

  Razorpay.prototype.emit = function (event, arg) {
    var fns = this.listeners[event] || [];
    for (var i = 0; i < fns.length; i++) call(fns[i], arg);
  };

  Razorpay.prototype.open = function () {
    if (this.overlay) return this;
    var o = this.options;
    var theme = o.theme || {};
    var prefill = o.prefill || {};
    var modal = o.modal || {};
    var url = new URL('/checkout', GATEWAY);
    var query = {
      order_id: o.order_id, key_id: o.key, embed: '1', parent_origin: location.origin,
      name: o.name, description: o.description, image: o.image, color: theme.color,
      prefill_name: prefill.name, prefill_method: prefill.method,
    };
    for (var k in query) {
      if (query[k] !== undefined && query[k] !== null && query[k] !== '') {
        url.searchParams.set(k, String(query[k]));
      }
    }
    this.paid = false;

    var overlay = document.createElement('div');
    overlay.setAttribute('data-paygate', 'razorpay');
    overlay.setAttribute('role', 'dialog');
    overlay.setAttribute('aria-modal', 'true');
    overlay.setAttribute('aria-label', o.name ? 'Pay ' + o.name : 'Payment');
    setStyle(overlay, {
      position: 'fixed', inset: '0', zIndex: '2147483000',
      background: theme.backdrop_color || 'rgba(15, 20, 35, 0.6)',
      display: 'flex', alignItems: 'center', justifyContent: 'center',
    });
    var frame = document.createElement('iframe');
    frame.src = url.toString();
    frame.title = 'Checkout';
    frame.setAttribute('data-paygate', 'razorpay-frame');
    frame.setAttribute('allow', 'payment');
    setStyle(frame, {
      border: '0', width: '100%', maxWidth: '480px', height: '100%', maxHeight: '680px',
      background: 'transparent', borderRadius: '12px',
    });
    overlay.appendChild(frame);
    var self = this;
    if (modal.backdropclose) {
      overlay.addEventListener('click', function (e) {
        if (e.target === overlay) self.dismiss();
      });
    }
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

  // Closes the modal. Unless the payment succeeded, that is a dismissal:
  // modal.ondismiss is called, as for the shopper's ×, Escape or backdrop.
  Razorpay.prototype.close = function () {
    this.dismiss();
  };

  Razorpay.prototype.dismiss = function () {
    if (!this.remove()) return;
    if (!this.paid) call((this.options.modal || {}).ondismiss);
  };

  // Takes the modal away; false when it was not open.
  Razorpay.prototype.remove = function () {
    if (!this.overlay) return false;
    window.removeEventListener('message', this.onMessage);
    document.removeEventListener('keydown', this.onKey);
    this.overlay.remove();
    this.overlay = null;
    this.frame = null;
    document.body.style.overflow = this.previousOverflow || '';
    if (this.previousFocus && this.previousFocus.focus) this.previousFocus.focus();
    return true;
  };

  Razorpay.prototype.onKey = function (e) {
    if (e.key === 'Escape' && (this.options.modal || {}).escape !== false) this.dismiss();
  };

  Razorpay.prototype.onMessage = function (e) {
    if (e.origin !== GATEWAY || !this.frame || e.source !== this.frame.contentWindow) return;
    var m = e.data;
    if (!m || m.source !== 'paygate') return;
    if (m.type === 'success') {
      this.paid = true;
      this.succeeded(m);
    } else if (m.type === 'failure') {
      this.failed(m);
    } else if (m.type === 'close') {
      this.dismiss();
    }
  };

  // The modal closes and handler gets the three fields a Razorpay page sends
  // its server. Without a signature (the server says why, in the console) the
  // handler still gets the ids: the server's verification then fails, as it
  // must for a result nothing vouches for.
  Razorpay.prototype.succeeded = function (m) {
    var self = this;
    this.result(m.payment_id).then(function (r) {
      var response = {
        razorpay_payment_id: m.payment_id,
        razorpay_order_id: m.order_id,
      };
      if (r && r.razorpay_signature) {
        response.razorpay_signature = r.razorpay_signature;
      } else {
        console.error('paygate: no razorpay_signature for payment ' + m.payment_id + ': ' +
          describe(r));
      }
      self.remove();
      call(self.options.handler, response);
    });
  };

  // payment.failed gets Razorpay's error object; the checkout stays open so
  // that the shopper can try again, as Razorpay's does.
  Razorpay.prototype.failed = function (m) {
    var self = this;
    this.result(m.payment_id).then(function (r) {
      var error = r && r.status === 'failed' && r.error ? r.error : {
        code: 'BAD_REQUEST_ERROR',
        description: (m.error && m.error.description) || 'Payment failed',
        source: 'NA', step: 'payment_authorization', reason: 'payment_failed',
        metadata: { order_id: m.order_id, payment_id: m.payment_id },
      };
      self.emit('payment.failed', { error: error });
    });
  };

  // The server's result for the payment: its body (or an error body), or
  // null when the server could not be reached.
  Razorpay.prototype.result = function (paymentId) {
    var url = new URL('/v1/checkout/payments/' + encodeURIComponent(paymentId), GATEWAY);
    if (this.options.key) url.searchParams.set('key_id', this.options.key);
    var tries = 0;
    function ask() {
      tries += 1;
      return fetch(url.toString(), { cache: 'no-store' }).then(function (res) {
        return res.json().then(function (body) {
          var pending = res.ok && body.status === 'created';
          if (pending && tries < RESULT_TRIES) return wait(RESULT_RETRY_MS).then(ask);
          return body;
        });
      }).catch(function (err) {
        return { error: { description: 'cannot reach ' + GATEWAY + ': ' + err } };
      });
    }
    return ask();
  };

  function describe(r) {
    if (r && r.error && r.error.description) return r.error.description;
    if (r && r.status) return 'the payment is ' + r.status;
    return 'no answer';
  }

  function wait(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

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

  Razorpay.origin = GATEWAY;
  window.Razorpay = Razorpay;
})();
