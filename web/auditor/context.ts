// What the auditor console's sections share: the network this console trusts
// (announced by the node that serves the page; every check pins it), the
// connection to the node under audit, and the page's language.
import type { JsonRpcProvider } from 'ethers';
import type { VerificationCache } from '../../sdk';
import type { Api } from '../lib/api';
import type { I18n } from '../lib/i18n';
import type { NetworkInfo } from '../lib/network';
import type { ChainParticipant, ChainReader } from './chain';
import type { IdentityCheck } from './identity';
import type { TokenClaims } from './token';

export interface Trusted {
  network: NetworkInfo;
  provider: JsonRpcProvider;
  chain: ChainReader;
  /** One verification cache for the page (one network). */
  cache: VerificationCache;
}

export interface Connection {
  /** The audited node's origin. */
  nodeUrl: string;
  token: string;
  claims: TokenClaims;
  /** Calls /audit/v1 of the node with the token. */
  api: Api;
  /** What the node announces about itself at /public/v1/network; null when it did not answer. */
  announced: NetworkInfo | null;
  /** The audited participant (lowercase): the token's issuer. */
  participant: string;
  /** The registry's entry for it, read from the chain in this browser; null when unknown there. */
  onChain: ChainParticipant | null;
  /** The agreements between chain, node and token, checked in this browser. */
  checks: IdentityCheck[];
}

export interface AuditorContext {
  i18n: I18n;
  t: I18n['t'];
  trusted: Trusted;
  connection: Connection | null;
}

export interface Section {
  id: string;
  /** i18n key of its title. */
  title: string;
  /** Only with a connection. */
  needsConnection: boolean;
  /** Draws the section from its state into `root` (called again on a language change). */
  render(root: HTMLElement, ctx: AuditorContext): void;
}
