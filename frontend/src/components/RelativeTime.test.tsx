import { act, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { serverClock } from "../lib/clock";
import { RelativeTime } from "./RelativeTime";

const start = new Date("2026-11-23T10:00:00Z");

describe("RelativeTime", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: start });
    serverClock.observe(start.toUTCString(), start.getTime());
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("never says a past sync is in the future, though the data is newer than the clock's last tick", () => {
    const { rerender } = render(<RelativeTime date={new Date(start.getTime() - 60_000)} />);
    expect(screen.getByText("1 minute ago")).toBeInTheDocument();
    // 6 s later a poll brings a sync that finished at that moment, before the clock has ticked again.
    vi.setSystemTime(start.getTime() + 6_000);
    rerender(<RelativeTime date={new Date(start.getTime() + 6_000)} />);
    expect(screen.getByRole("time")).toHaveTextContent("just now");
  });

  it("keeps counting while the page stays open", () => {
    render(<RelativeTime date={start} />);
    expect(screen.getByRole("time")).toHaveTextContent("just now");
    act(() => {
      vi.advanceTimersByTime(12_000);
    });
    expect(screen.getByRole("time")).toHaveTextContent("12 seconds ago");
  });

  it("counts on the server's clock when the browser's is 30 s behind", () => {
    // The API answered with a Date header 30 s ahead of this browser's clock.
    serverClock.observe(new Date(start.getTime() + 30_000).toUTCString(), start.getTime());
    // A sync the server finished 10 s ago by its clock: 20 s in this browser's future.
    render(<RelativeTime date={new Date(start.getTime() + 20_000)} />);
    expect(screen.getByRole("time")).toHaveTextContent(/^1[01] seconds ago$/);
  });

  it("says never before a first sync", () => {
    render(<RelativeTime date={null} />);
    expect(screen.getByText("never")).toBeInTheDocument();
  });
});
