// The applicant's signing key lives in this browser only: an ECDSA P-256 key pair made with
// WebCrypto, its private half not extractable, kept in IndexedDB (CryptoKey objects are stored
// as they are; script can use the key to sign but never read it). The portal receives the
// public key and the signature of the SHA-256 of the exact letter text shown.
// Also the signature pad: a canvas the applicant draws on with finger, pen or mouse.

const DB_NAME = 'bjm-signing';
const STORE = 'keys';

function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function withStore(mode, action) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const request = action(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => reject(tx.error);
  });
}

function base64(buffer) {
  let binary = '';
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Signs `text` for account `user`; makes this device's key on first use. JSON of
 * {key_id, public_key, signature, letter_sha256}. */
export async function signLetter(user, text) {
  const slot = `user-${user}`;
  let entry = await withStore('readonly', (store) => store.get(slot));
  if (!entry) {
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
      'verify',
    ]);
    const publicKey = base64(await crypto.subtle.exportKey('raw', pair.publicKey));
    entry = { pair, publicKey, keyId: null };
    await withStore('readwrite', (store) => store.put(entry, slot));
  }
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    entry.pair.privateKey,
    digest,
  );
  return JSON.stringify({
    key_id: entry.keyId,
    public_key: entry.publicKey,
    signature: base64(signature),
    letter_sha256: hex(digest),
  });
}

/** Remembers the id the portal gave this device's key. */
export async function rememberKey(user, keyId) {
  const slot = `user-${user}`;
  const entry = await withStore('readonly', (store) => store.get(slot));
  if (entry) {
    entry.keyId = keyId;
    await withStore('readwrite', (store) => store.put(entry, slot));
  }
}

const pads = new Map();

/** Lets the canvas `id` be drawn on (pointer events: finger, pen, mouse). */
export function attachPad(id) {
  const canvas = document.getElementById(id);
  if (!canvas || pads.has(id)) return;
  const context = canvas.getContext('2d');
  context.lineWidth = 3;
  context.lineCap = 'round';
  context.strokeStyle = '#111827';
  const state = { drawing: false, drawn: false };
  pads.set(id, state);
  const point = (event) => {
    const box = canvas.getBoundingClientRect();
    return [
      ((event.clientX - box.left) * canvas.width) / box.width,
      ((event.clientY - box.top) * canvas.height) / box.height,
    ];
  };
  canvas.addEventListener('pointerdown', (event) => {
    state.drawing = true;
    canvas.setPointerCapture(event.pointerId);
    context.beginPath();
    context.moveTo(...point(event));
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!state.drawing) return;
    context.lineTo(...point(event));
    context.stroke();
    state.drawn = true;
  });
  const stop = () => {
    state.drawing = false;
  };
  canvas.addEventListener('pointerup', stop);
  canvas.addEventListener('pointercancel', stop);
}

/** The drawing as a PNG data URL, or '' when nothing was drawn. */
export function padDataUrl(id) {
  const canvas = document.getElementById(id);
  const state = pads.get(id);
  return canvas && state && state.drawn ? canvas.toDataURL('image/png') : '';
}

/** Wipes the drawing. */
export function clearPad(id) {
  const canvas = document.getElementById(id);
  const state = pads.get(id);
  if (canvas && state) {
    canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
    state.drawn = false;
  }
}
