/* Where a long URI or checkpoint may wrap: after `//`, `,`, `;` and `@`; before a single `/`, `?`,
   `&` and `#`. Between those the text stays whole (a host name, host:port, a key=value pair); BreakableText
   keeps each part whole unless it alone is longer than the line. */
export function breakPoints(text: string): string[] {
  const parts: string[] = [];
  let start = 0;
  const cut = (at: number) => {
    if (at > start && at < text.length) {
      parts.push(text.slice(start, at));
      start = at;
    }
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    const next = text[i + 1];
    if (char === "/") {
      // Inside a run of slashes (`//`) no break; a single slash breaks before itself.
      if (text[i - 1] !== "/" && next !== "/") cut(i);
      else if (text[i - 1] === "/" && next !== "/") cut(i + 1);
    } else if (char === "?" || char === "&" || char === "#") {
      cut(i);
    } else if (char === "," || char === ";" || char === "@") {
      cut(i + 1);
    }
  }
  parts.push(text.slice(start));
  return parts;
}
