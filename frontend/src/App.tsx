import { type QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createBrowserRouter, Link } from "react-router";
import { RouterProvider } from "react-router/dom";
import { Layout } from "./components/Layout";
import { ConnectorDetailPage } from "./features/connectors/ConnectorDetailPage";
import { EditConnectorPage, NewConnectorPage } from "./features/connectors/ConnectorFormPage";
import { ConnectorsPage } from "./features/connectors/ConnectorsPage";
import { LogsPage } from "./features/logs/LogsPage";

const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { index: true, element: <ConnectorsPage /> },
      { path: "connectors/new", element: <NewConnectorPage /> },
      { path: "connectors/:id", element: <ConnectorDetailPage /> },
      { path: "connectors/:id/edit", element: <EditConnectorPage /> },
      { path: "logs", element: <LogsPage /> },
      { path: "*", element: <NotFound /> },
    ],
  },
]);

function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        <Link to="/">Back to the connectors</Link>
      </p>
    </section>
  );
}

export function App({ queryClient }: { queryClient: QueryClient }) {
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
