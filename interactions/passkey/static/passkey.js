// Passkeys (interactions/passkey): the browser's side of the WebAuthn ceremonies. The page carries the
// options Kapı made (a form's data-options, JSON with base64url fields); on the person's click this
// script asks the browser for a passkey (navigator.credentials), and posts the answer with the form,
// base64url-encoded, for Kapı to verify. No inline script: the Content-Security-Policy forbids it.
(() => {
  var form = document.querySelector('form[data-passkey]');
  if (!form) return;
  var mode = form.getAttribute('data-passkey'); // 'get' (sign-in) or 'create' (registration)
  var button = document.getElementById('passkey-start');
  if (!window.PublicKeyCredential || !navigator.credentials || !button) {
    const note = document.getElementById('passkey-unsupported');
    if (note) note.hidden = false;
    return;
  }

  function fromB64(value) {
    var s = value.replace(/-/g, '+').replace(/_/g, '/');
    while (s.length % 4) s += '=';
    var raw = atob(s);
    var bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes.buffer;
  }

  function toB64(buffer) {
    if (!buffer) return undefined;
    var bytes = new Uint8Array(buffer);
    var s = '';
    for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function publicKey(options) {
    options.challenge = fromB64(options.challenge);
    if (options.user) options.user.id = fromB64(options.user.id);
    ['allowCredentials', 'excludeCredentials'].forEach((list) => {
      (options[list] || []).forEach((c) => {
        c.id = fromB64(c.id);
      });
    });
    return options;
  }

  function answer(credential) {
    var r = credential.response;
    var json = { id: credential.id, rawId: toB64(credential.rawId), type: credential.type, response: { clientDataJSON: toB64(r.clientDataJSON) } };
    if (mode === 'create') {
      json.response.attestationObject = toB64(r.attestationObject);
      json.response.transports = typeof r.getTransports === 'function' ? r.getTransports() : [];
    } else {
      json.response.authenticatorData = toB64(r.authenticatorData);
      json.response.signature = toB64(r.signature);
      json.response.userHandle = toB64(r.userHandle);
    }
    return JSON.stringify(json);
  }

  function post(field, value) {
    form.elements[field].value = value;
    form.submit();
  }

  button.disabled = false;
  button.addEventListener('click', () => {
    button.disabled = true;
    var options = publicKey(JSON.parse(form.getAttribute('data-options')));
    var ceremony = mode === 'create' ? navigator.credentials.create({ publicKey: options }) : navigator.credentials.get({ publicKey: options });
    ceremony.then(
      (credential) => {
        post('response', answer(credential));
      },
      (err) => {
        post('error', (err && err.name) || 'Error');
      },
    );
  });
})();
