import { defineConfig } from "vite";

// The set-up (scripts/setup.ts) writes the built images to build/public/images;
// vite serves them at /images/ and copies them into dist/ on `npm run build`.
export default defineConfig({
  publicDir: "build/public",
  server: { port: 5173, strictPort: true },
  preview: { port: 4173, strictPort: true },
  worker: { format: "es" },
  build: { target: "es2022" },
});
