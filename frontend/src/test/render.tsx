import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { MemoryRouter } from "react-router";

/** Renders inside a router (at `path`, default /) and a fresh query client, optionally with data already cached. */
export function renderWithProviders(ui: ReactElement, options: { cache?: [readonly unknown[], unknown][]; path?: string } = {}) {
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false, staleTime: Number.POSITIVE_INFINITY, refetchInterval: false } },
  });
  for (const [key, data] of options.cache ?? []) queryClient.setQueryData(key, data);
  return {
    queryClient,
    ...render(
      <QueryClientProvider client={queryClient}>
        <MemoryRouter initialEntries={[options.path ?? "/"]}>{ui}</MemoryRouter>
      </QueryClientProvider>,
    ),
  };
}
