// The electronic-signature dialog: who signs (the signed-in user), what the
// signature means, what is being signed, and the password re-entered. The node
// checks all of it; a refusal (signature-invalid, signature-locked) is shown by
// the caller from the ApiError.
import { h } from '../lib/dom';
import type { I18n } from '../lib/i18n';
import type { SignatureInput } from './types';

export function signatureDialog(i18n: I18n, username: string, meaning: string, summary: string): Promise<SignatureInput | null> {
  const { t } = i18n;
  return new Promise((resolve) => {
    const password = h('input', { type: 'password', id: 'esign-password', name: 'password', autocomplete: 'current-password', required: true });
    const form = h(
      'form',
      { method: 'dialog' },
      h('h2', { id: 'esign-title' }, t('esign.title')),
      h('p', null, summary),
      h('dl', null, h('dt', null, t('esign.signer')), h('dd', { 'data-testid': 'esign-signer' }, username), h('dt', null, t('esign.meaning')), h('dd', { 'data-testid': 'esign-meaning' }, t(`meaning.${meaning}`))),
      h('p', { class: 'muted' }, t('esign.statement')),
      h('label', { for: 'esign-password' }, t('esign.password')),
      password,
      h(
        'div',
        { class: 'row', style: 'margin-top: 1em' },
        h('button', { type: 'button', class: 'secondary', value: 'cancel', onclick: () => finish(null) }, t('common.cancel')),
        h('button', { type: 'submit', value: 'sign' }, t('esign.sign')),
      ),
    );
    const dialog = h('dialog', { 'aria-labelledby': 'esign-title', 'data-testid': 'esign-dialog' }, form);
    let done = false;
    const finish = (value: SignatureInput | null) => {
      if (done) return;
      done = true;
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!password.value) return password.focus();
      finish({ username, password: password.value, meaning });
    });
    dialog.addEventListener('cancel', () => finish(null));
    document.body.appendChild(dialog);
    dialog.showModal();
    password.focus();
  });
}
