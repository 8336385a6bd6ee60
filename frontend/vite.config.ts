/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The service serves the built dashboard from its static files, so the run command gives the
// whole product on one port; in development the API calls are proxied to a running service.
const service = process.env.ZENITH_DEV_API ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "../backend/Zenith.Service/wwwroot",
    emptyOutDir: true,
    rollupOptions: {
      output: {
        // Vendor code changes less often than the app: separate files cache better.
        manualChunks: { react: ["react", "react-dom", "react-router"], charts: ["recharts"], query: ["@tanstack/react-query", "react-hook-form"] },
      },
    },
  },
  server: {
    port: 5173,
    proxy: Object.fromEntries(["/api", "/health", "/metrics", "/openapi"].map((path) => [path, service])),
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    restoreMocks: true,
    // CI shares 2 cores with the .NET suites: generous limits keep a slow machine from failing a correct test.
    testTimeout: 30_000,
  },
});
