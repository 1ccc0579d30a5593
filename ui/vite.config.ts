// `npm run build:ui`: builds the operator UI into ui/dist, which createServer serves at /ui.
import path from "node:path";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const root = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root,
  base: "/ui/",
  plugins: [react()],
  build: { outDir: path.join(root, "dist"), emptyOutDir: true, sourcemap: false },
  server: {
    // `npx vite ui` during development: the API of `npm start` behind the dev server.
    proxy: { "/graphql": { target: "http://127.0.0.1:4000", ws: true } },
  },
});
