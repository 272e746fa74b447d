// What the browser tests know about the running demo: <dir>/demo.json as
// `medtrace demo` writes it, handed from the global setup by provide/inject.

export interface DemoCompany {
  url: string;
  participant: string;
  name: string;
  role: string;
  log: string;
}

export interface DemoState {
  chain: { rpcUrl: string; deploymentPath: string; chainId: number; anchorLog: string; registry: string; recallBoard: string };
  admin: { username: string; password: string };
  companies: { maker: DemoCompany; distributor: DemoCompany; hospital: DemoCompany };
  product: { gtin: string; name: string; model: string };
  lot: string;
  expiry: string;
  firstSerial: string;
  udi: string;
  dispensedUnit: { gtin: string; lot: string; serial: string } | null;
  bundleFile: string;
  stoppedAt: string | null;
}

/** Why the browser tests do not run here, or null when they do. */
export type WebSkip = string | null;

declare module 'vitest' {
  export interface ProvidedContext {
    demo: DemoState | null;
    webSkip: WebSkip;
    screenshotDir: string;
  }
}
