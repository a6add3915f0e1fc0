// AES-256-GCM for secrets at rest (signing keys, client secrets). The key comes from configuration,
// so the database alone never yields them in clear. The purpose is bound as additional data, so a
// ciphertext copied from one column to another fails to decrypt.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export interface SecretBox {
  seal(plaintext: string, purpose: string): string;
  open(sealed: string, purpose: string): string;
}

export function createSecretBox(configuredKey: string): SecretBox {
  // Derive a fixed-size key from whatever encoding the operator used (32+ random characters).
  const key = createHash('sha256').update(`pole-emploi-connect:secret-box:${configuredKey}`).digest();
  return {
    seal(plaintext, purpose) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(purpose));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [
        'v1',
        iv.toString('base64url'),
        body.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
      ].join('.');
    },
    open(sealed, purpose) {
      const [version, iv, body, tag] = sealed.split('.');
      if (version !== 'v1' || !iv || !body || !tag) throw new Error('unrecognised sealed value');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(purpose));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    },
  };
}

/** The same box, remembering the last values it opened (at most `max`): for secrets opened on every
 * protocol request, such as an app's client secret each time oidc-provider reads the app. */
export function rememberOpened(box: SecretBox, max = 1_000): SecretBox {
  const opened = new Map<string, string>();
  return {
    seal: (plaintext, purpose) => box.seal(plaintext, purpose),
    open(sealed, purpose) {
      const key = `${purpose}\n${sealed}`;
      let plaintext = opened.get(key);
      if (plaintext === undefined) {
        plaintext = box.open(sealed, purpose);
        // Oldest first: Map keeps insertion order.
        if (opened.size >= max) opened.delete(opened.keys().next().value as string);
        opened.set(key, plaintext);
      }
      return plaintext;
    },
  };
}
