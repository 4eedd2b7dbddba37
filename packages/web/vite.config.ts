// Builds the dashboard into dist/, which `orrery server` serves at /. In development (`npm run dev
// -w @orrery/web`) API calls are proxied to a server on ORRERY_URL (default http://127.0.0.1:5170).
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1024 },
  server: { proxy: { "/api": process.env.ORRERY_URL ?? "http://127.0.0.1:5170" } },
});
