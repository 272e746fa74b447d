// What every console view gets. A view is one file in views/, listed in views/index.ts.
import type { Api } from '../lib/api';
import type { I18n } from '../lib/i18n';
import type { NetworkInfo } from '../lib/network';

export interface SignatureInput {
  username: string;
  password: string;
  meaning: string;
}

export interface ConsoleContext {
  api: Api;
  i18n: I18n;
  t: I18n['t'];
  user: { username: string; roles: string[] };
  network: NetworkInfo;
  /** Go to a hash route, e.g. navigate('/lots/0061414.../L1'). */
  navigate(path: string): void;
  /**
   * The e-signature dialog (21 CFR Part 11 manner): the signer re-enters the
   * password; `meaning` is stated on the dialog. Resolves null when cancelled.
   */
  sign(meaning: string, summary: string): Promise<SignatureInput | null>;
  /** Show an error (an ApiError names the field) in the view's alert region. */
  showError(err: unknown): void;
  /** Show a short success message. */
  notify(message: string): void;
}

export interface View {
  /** The first segment of the hash route: `#/lots/...` → 'lots'. */
  id: string;
  /** i18n key of the navigation label and page heading. */
  title: string;
  /** Roles that see the view in the navigation (empty: everyone signed in). */
  roles?: string[];
  /** The view's own strings, merged into the console's dictionaries (both languages, same keys). */
  messages: { en: Record<string, string>; zh: Record<string, string> };
  /** Render into `root` (already emptied). `params` are the route's further segments, decoded; `query` the part after '?'. */
  render(root: HTMLElement, ctx: ConsoleContext, params: string[], query: URLSearchParams): void | Promise<void>;
}
