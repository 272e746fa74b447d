// One Vite build for the three pages every node serves (DESIGN 2): the public
// verification page, the participant console and the auditor console. Built into
// web/dist (`npm run build:web`); the node serves it (node/web/static.ts).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: path.join(root, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    rollupOptions: {
      input: {
        verify: path.join(root, 'verify/index.html'),
        console: path.join(root, 'console/index.html'),
        auditor: path.join(root, 'auditor/index.html'),
      },
    },
  },
});
