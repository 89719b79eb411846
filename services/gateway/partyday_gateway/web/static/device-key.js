// The phone's own signing key: ECDSA P-256 made by WebCrypto with its private half not extractable, kept in
// IndexedDB. Its public half is registered while online; every scan queued offline is signed with it, so that a
// batch cannot be written afterwards on another device. Without WebCrypto or IndexedDB scans go unsigned, and the
// server decides what they prove.
const DB = 'partyday-device';
const STORE = 'keys';
const REGISTERED = 'partyday.device-key-registered';
// What the signature covers, as attendance checks it (device_keys.SIGNED_FIELDS).
const SIGNED_FIELDS = ['activity_id', 'kind', 'token', 'scanned_at', 'lat', 'lon', 'accuracy_m', 'nonce', 'device_id'];

function kept(mode, work) {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open(DB, 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore(STORE);
    opening.onerror = () => reject(opening.error);
    opening.onsuccess = () => {
      const transaction = opening.result.transaction(STORE, mode);
      const request = work(transaction.objectStore(STORE));
      transaction.oncomplete = () => { opening.result.close(); resolve(request.result); };
      transaction.onerror = () => reject(transaction.error);
    };
  });
}

async function keyPair() {
  const found = await kept('readonly', (store) => store.get('device'));
  if (found) return found;
  const made = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  await kept('readwrite', (store) => store.put(made, 'device'));
  return made;
}

function base64(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)));
}

function available() {
  return Boolean(window.crypto && crypto.subtle && window.indexedDB);
}

// Register this phone's public key for the member, once per member, device and key.
export async function registerDeviceKey(session, memberId, deviceId) {
  if (!available() || !memberId) return;
  try {
    const publicKey = base64(await crypto.subtle.exportKey('spki', (await keyPair()).publicKey));
    const marker = `${memberId}:${deviceId}:${publicKey}`;
    if (localStorage.getItem(REGISTERED) === marker) return;
    await session.call('/attendance/device-keys', { method: 'POST', body: { device_id: deviceId, public_key: publicKey } });
    localStorage.setItem(REGISTERED, marker);
  } catch {
    // Registered at the next page opened online.
  }
}

// The scan with its signature: ECDSA P-256 with SHA-256 over the JSON text of the fields it covers.
export async function signScan(scan) {
  if (!available()) return scan;
  try {
    const payload = JSON.stringify(Object.fromEntries(SIGNED_FIELDS.map((field) => [field, scan[field]])));
    const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, (await keyPair()).privateKey,
      new TextEncoder().encode(payload));
    return { ...scan, signed_payload: payload,
      signature: base64(signature).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '') };
  } catch {
    return scan;
  }
}
