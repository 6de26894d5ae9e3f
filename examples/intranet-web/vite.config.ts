import { defineConfig } from "vite";

// Relative asset paths: the built page works wherever it is served from
// (rectrackd --http-static DIR at /, or a folder of the intranet).
export default defineConfig({
  base: "./",
  build: { outDir: process.env.RECTRACK_WEB_OUT ?? "dist", emptyOutDir: true },
});
