// The GS1 Digital Link answer of this node acting as the resolver for its own
// GTINs: an RFC 9264 linkset (application/linkset+json) whose anchor is the
// Digital Link and whose link relations are GS1 Web vocabulary terms.
import { toDigitalLink, type Gs1Data } from '../../sdk';

export const GS1_VOC = 'https://gs1.org/voc/';

export interface LinkTarget {
  href: string;
  type?: string;
  title?: string;
  hreflang?: string[];
}

export interface Linkset {
  linkset: Array<{ anchor: string } & Record<string, string | LinkTarget[]>>;
}

/** The Digital Link's path on this node (`/01/{gtin}[/10/{lot}][/21/{serial}]`, SDK-encoded). */
export function digitalLinkPath(data: Gs1Data): string {
  return new URL(toDigitalLink(data, 'https://x.invalid')).pathname;
}

/** The human page for the identifier: the verification web page under `${base}/verify`. */
export function verifyPageUrl(base: string, data: Gs1Data): string {
  return toDigitalLink(data, `${base}/verify`);
}

/** `lot`: the lot of a unit named by GTIN and serial only (looked up by the caller). */
export function buildLinkset(base: string, data: Gs1Data, lot: string | undefined = data.lot): Linkset {
  const anchor = toDigitalLink(data, base);
  const page = verifyPageUrl(base, data);
  const links: Record<string, LinkTarget[]> = {
    [`${GS1_VOC}pip`]: [{ href: page, type: 'text/html', title: 'Product information and verification' }],
    [`${GS1_VOC}defaultLink`]: [{ href: page, type: 'text/html', title: 'Product information and verification' }],
  };
  if (data.serial !== undefined || data.lot !== undefined) {
    const udi = encodeURIComponent(anchor);
    links[`${GS1_VOC}verificationService`] = [
      { href: `${base}/public/v1/verify?udi=${udi}`, type: 'application/json', title: 'Verification against the chain, with proof bundles' },
    ];
  }
  if (lot !== undefined) {
    const query = new URLSearchParams({ gtin: data.gtin, lot });
    links[`${GS1_VOC}recallStatus`] = [{ href: `${base}/public/v1/recall-status?${query}`, type: 'application/json', title: 'Recalls of this lot on the RecallBoard' }];
    links[`${GS1_VOC}traceability`] = [
      { href: `${base}/audit/v1/trace/forward?${query}`, type: 'application/json', title: 'Forward trace of the lot (auditor token required)' },
    ];
  } else {
    const query = new URLSearchParams({ gtin: data.gtin });
    links[`${GS1_VOC}recallStatus`] = [{ href: `${base}/public/v1/recall-status?${query}`, type: 'application/json', title: 'Recalls of all lots of this GTIN' }];
  }
  return { linkset: [{ anchor, ...links }] };
}
