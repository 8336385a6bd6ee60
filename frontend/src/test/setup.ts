import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";

// findBy*/waitFor give up after 1 s by default; on a loaded CI machine a render can take longer.
configure({ asyncUtilTimeout: 10_000 });

afterEach(() => {
  cleanup();
});
