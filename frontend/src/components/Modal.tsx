import { type ReactNode, useEffect, useId, useRef } from "react";

interface ModalProps {
  title: string;
  children: ReactNode;
  onClose?: () => void;
}

/** A modal dialog: labelled, focus moved inside on open and given back on close, Escape closes. */
export function Modal({ title, children, onClose }: ModalProps) {
  const titleId = useId();
  const panel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const first = panel.current?.querySelector<HTMLElement>("input, select, textarea, button");
    first?.focus();
    return () => previous?.focus();
  }, []);

  return (
    <div
      className="modal-backdrop"
      onKeyDown={(event) => {
        if (event.key === "Escape" && onClose) onClose();
      }}
    >
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby={titleId} ref={panel}>
        <h2 id={titleId}>{title}</h2>
        {children}
      </div>
    </div>
  );
}
