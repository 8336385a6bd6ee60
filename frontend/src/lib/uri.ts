/* Connection strings carry the password in their user-info part. The form shows it masked and
   keeps the typed password in its own field; the API masks it as `***` and keeps the stored one
   when `***` comes back. Only the user-info part is touched: MongoDB URIs may list several hosts,
   which URL() cannot parse. */
const withUserInfo = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)([^/?#]*)@(.*)$/s;
const schemeOnly = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)(.*)$/s;
export const maskedPassword = "***";

/** Takes a typed password out of a URI: the URI keeps `***` in its place. */
export function splitPassword(uri: string): { uri: string; password: string } {
  const match = withUserInfo.exec(uri);
  if (!match) return { uri, password: "" };
  const [, scheme = "", userInfo = "", rest = ""] = match;
  const colon = userInfo.indexOf(":");
  if (colon < 0) return { uri, password: "" };
  const password = userInfo.slice(colon + 1);
  if (password === "" || password === maskedPassword) return { uri, password: "" };
  return { uri: `${scheme}${userInfo.slice(0, colon)}:${maskedPassword}@${rest}`, password: safeDecode(password) };
}

/** Puts a password into a URI's user-info (percent-encoded); a blank password leaves the URI as is. */
export function withPassword(uri: string, password: string, defaultUser = ""): string {
  if (password === "") return uri;
  const encoded = encodeURIComponent(password);
  const match = withUserInfo.exec(uri);
  if (match) {
    const [, scheme = "", userInfo = "", rest = ""] = match;
    const colon = userInfo.indexOf(":");
    const user = colon < 0 ? userInfo : userInfo.slice(0, colon);
    return `${scheme}${user}:${encoded}@${rest}`;
  }
  const bare = schemeOnly.exec(uri);
  if (!bare || defaultUser === "") return uri;
  const [, scheme = "", rest = ""] = bare;
  return `${scheme}${encodeURIComponent(defaultUser)}:${encoded}@${rest}`;
}

/* Options that decide where a password goes and how it travels: MongoDB's authentication, TLS,
   a proxy, the SRV service name. The service's rule (a saved password is reused only for the same
   scheme, hosts, user, path and these options) is the one that decides; this is a superset of it,
   so the form asks for the password whenever the service might refuse to reuse the saved one. */
const endpointOption = /^(auth|tls|ssl|proxy|srvservicename$)/i;

function endpointOf(uri: string): string {
  const query = uri.indexOf("?");
  const head = query < 0 ? uri : uri.slice(0, query);
  const options = query < 0 ? [] : uri.slice(query + 1).split(/[&;]/).filter((pair) => endpointOption.test(pair.split("=")[0] ?? ""));
  return [head.replace(/\/+$/, ""), ...options.sort()].join("&");
}

/** Whether an edited URI still holds the masked password but points it elsewhere (server, user, auth, TLS, proxy). */
export function needsPasswordAgain(savedUri: string, editedUri: string): boolean {
  return editedUri.includes(`:${maskedPassword}@`) && endpointOf(savedUri) !== endpointOf(editedUri);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
