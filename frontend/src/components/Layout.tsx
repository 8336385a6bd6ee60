import { NavLink, Outlet } from "react-router";
import { ApiKeyPrompt } from "./ApiKeyPrompt";

export function Layout() {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <NavLink to="/" className="brand">
          Zenith
        </NavLink>
        <span className="tagline">MongoDB → ClickHouse</span>
        <nav aria-label="Main">
          <NavLink to="/" end>
            Connectors
          </NavLink>
          <NavLink to="/logs">Logs</NavLink>
        </nav>
      </header>
      <main id="main" className="content">
        <Outlet />
      </main>
      <ApiKeyPrompt />
    </>
  );
}
