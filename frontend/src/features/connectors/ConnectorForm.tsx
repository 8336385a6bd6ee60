import { useState } from "react";
import { type FieldPath, type UseFormRegisterReturn, useForm, useWatch } from "react-hook-form";
import { ApiError, errorMessage } from "../../api/problem";
import { MessageText } from "../../components/MessageText";
import { toMessage } from "../../lib/message";
import { needsPasswordAgain, splitPassword } from "../../lib/uri";
import { type ConnectorDraft, historyLostPolicies, legacyUuids, syncModes } from "./api";
import { ConnectionTestPanel, MappingPreviewPanel } from "./ConnectorChecks";
import { MappingRulesEditor } from "./MappingRulesEditor";

type FieldName = FieldPath<ConnectorDraft>;

const advancedFields: readonly FieldName[] = [
  "source.filter",
  "source.projection",
  "mapping.separator",
  "mapping.maxDepth",
  "mapping.maxColumns",
  "mapping.legacyUuid",
  "table.orderBy",
  "table.partitionBy",
  "table.ttl",
];
const formFields: readonly FieldName[] = [
  "name",
  "source.uri",
  "source.password",
  "source.database",
  "source.collection",
  "destination.uri",
  "destination.password",
  "destination.database",
  "destination.table",
  "mode",
  "cursorField",
  "intervalSeconds",
  "batchSize",
  "onHistoryLost",
  "verifyIntervalSeconds",
  ...advancedFields,
];

const numericFields: readonly FieldName[] = ["intervalSeconds", "batchSize", "settleSeconds", "verifyIntervalSeconds", "mapping.maxDepth", "mapping.maxColumns"];
const rulePath = /^mapping\.rules\[(\d+)\]$/i;
/* Only the shape is checked here (a number can be sent at all); ranges are the API's to judge. */
const wholeNumber = (value: unknown) =>
  typeof value !== "string" || value.trim() === "" || /^-?\d+$/.test(value.trim()) || "Enter a whole number.";

/* The name is a metric label and a log key: the hint's rule, checked as typed (the API's check is to
   follow). A blank name is the API's to refuse; a stored name that predates the rule stays valid. */
const namePattern = /^[A-Za-z0-9_]+$/;
const nameRule = (storedName: string) => (value: unknown) => {
  const name = typeof value === "string" ? value.trim() : "";
  return name === "" || name === storedName || namePattern.test(name) || "Use only letters (a–z, A–Z), digits and underscores, e.g. visited_sites.";
};

interface ConnectorFormProps {
  connectorId: number | null;
  initial: ConnectorDraft;
  /** The saved passwords cannot be decrypted: both password fields ask for them again. */
  credentialsUnreadable?: boolean;
  /** Saves the draft (a new one paused when asked); rejects with an ApiError whose problem details name the bad fields. */
  onSave: (draft: ConnectorDraft, options: { paused: boolean }) => Promise<void>;
  onCancel: () => void;
}

/* Validation is the API's: the form sends what was typed and shows the problem details' field
   errors beside their fields, so the rules live in one place. Checked here as well, on leaving the
   field: only what cannot be sent as typed (a number that is text) and the name's characters. */
/* A saved password is only reused for the server it was saved for: the service refuses the rest,
   and the form asks before it gets there. */
const passwordAgain = /password again/i;

export function ConnectorForm({ connectorId, initial, credentialsUnreadable = false, onSave, onCancel }: ConnectorFormProps) {
  const { register, handleSubmit, setError, getValues, setValue, control, formState } = useForm<ConnectorDraft>({
    defaultValues: initial,
    mode: "onTouched",
  });
  const [formError, setFormError] = useState<string | null>(null);
  const [createPaused, setCreatePaused] = useState(false);
  // Open when something beyond the defaults the API fills in (separator, depth) is set.
  const [advancedOpen, setAdvancedOpen] = useState(
    () => advancedFields.some((f) => !f.startsWith("mapping.") && getValues(f) !== "") || getValues("mapping.rules").length > 0,
  );
  const mode = useWatch({ control, name: "mode" });
  const [sourceUri, sourcePassword, destinationUri, destinationPassword] = useWatch({
    control,
    name: ["source.uri", "source.password", "destination.uri", "destination.password"],
  });
  const errors = formState.errors;
  const askPassword = (saved: string, edited: string, typed: string): string | undefined => {
    if (connectorId === null || typed !== "") return undefined;
    if (credentialsUnreadable && edited.includes(":***@")) {
      return "The saved password cannot be decrypted (credentials unreadable): type it again.";
    }
    return needsPasswordAgain(saved, edited)
      ? "The server, user or connection options changed: type the password again (a saved password is only sent to the server it was saved for)."
      : undefined;
  };
  const sourcePrompt = askPassword(initial.source.uri, sourceUri, sourcePassword);
  const destinationPrompt = askPassword(initial.destination.uri, destinationUri, destinationPassword);

  const submit = handleSubmit(async (draft) => {
    setFormError(null);
    try {
      await onSave(draft, { paused: connectorId === null && createPaused });
    } catch (error) {
      if (!(error instanceof ApiError)) {
        setFormError(errorMessage(error));
        return;
      }
      const unmatched: string[] = [];
      let focused = false;
      for (const [path, message] of Object.entries(error.fieldErrors)) {
        const rule = rulePath.exec(path);
        if (rule !== null) {
          setAdvancedOpen(true);
          setError(`mapping.rules.${Number(rule[1])}.path`, { type: "server", message }, { shouldFocus: !focused });
          focused = true;
          continue;
        }
        // "type the password again" is about the password, whatever field of the URI it names.
        const target = passwordAgain.test(message) && /^(source|destination)\.uri$/i.test(path) ? path.replace(/uri$/i, "password") : path;
        const field = formFields.find((f) => f.toLowerCase() === target.toLowerCase());
        if (field === undefined) {
          unmatched.push(`${path}: ${message}`);
          continue;
        }
        if (advancedFields.includes(field)) setAdvancedOpen(true);
        setError(field, { type: "server", message }, { shouldFocus: !focused });
        focused = true;
      }
      const summary = Object.keys(error.fieldErrors).length > 0 ? "Some fields need attention." : errorMessage(error);
      setFormError([summary, ...unmatched].join(" "));
    }
  });

  /* A password typed inside a URI moves to the password field, leaving the URI masked. */
  const maskPasswordIn = (uriField: "source.uri" | "destination.uri", passwordField: "source.password" | "destination.password") => () => {
    const { uri, password } = splitPassword(getValues(uriField));
    if (password !== "") {
      setValue(uriField, uri);
      setValue(passwordField, password);
    }
  };

  const rules = (name: FieldName) => {
    if (name === "name") return { validate: nameRule(initial.name) };
    return numericFields.includes(name) ? { validate: wholeNumber } : {};
  };
  const field = (name: FieldName) => ({
    name,
    registration: register(name, rules(name)),
    error: errors_at(errors, name),
  });

  return (
    <form onSubmit={(event) => void submit(event)} noValidate className="form">
      {formError !== null && (
        <div className="alert alert-error" role="alert">
          <MessageText message={toMessage(formError)} />
        </div>
      )}
      <fieldset>
        <legend>Connector</legend>
        <Field {...field("name")} label="Name" hint="Letters, digits and underscores; shown in metrics and logs." required />
        <div className="field-row">
          <SelectField {...field("mode")} label="Mode">
            {syncModes.map((m) => (
              <option key={m.value} value={m.value}>
                {m.label}
              </option>
            ))}
          </SelectField>
          {mode === "incremental_timestamp" && (
            <Field
              {...field("cursorField")}
              label="Cursor field"
              hint="A date field that grows on every change; dotted paths work (meta.updated_at). Not _id: that is “Incremental by _id”."
            />
          )}
        </div>
        {mode === "change_stream" && (
          <p className="hint">
            Copies the collection once, then applies every insert, update, replace and delete from MongoDB&apos;s change stream,
            continuously, within about a second. Needs a replica set. The table <code>{"<table>_current"}</code> shows the current rows
            without FINAL; a filter or projection is not supported in this mode.
          </p>
        )}
        <div className="field-row">
          {mode !== "change_stream" && (
            <Field {...field("intervalSeconds")} label="Interval (seconds)" inputMode="numeric" hint="Blank: 60." />
          )}
          <Field {...field("batchSize")} label="Batch size" inputMode="numeric" hint="Blank: the server's default." />
          {mode === "change_stream" && (
            <SelectField {...field("onHistoryLost")} label="When the position falls off the oplog">
              {historyLostPolicies.map((p) => (
                <option key={p.value} value={p.value}>
                  {p.label}
                </option>
              ))}
            </SelectField>
          )}
          {mode !== "full" && mode !== "change_stream" && (
            <Field
              {...field("settleSeconds")}
              label="Settle window (seconds)"
              inputMode="numeric"
              hint="Blank: 5. How late a write may become visible (many writers, clocks apart): the checkpoint waits that long; 0 holds nothing back."
            />
          )}
          <Field {...field("verifyIntervalSeconds")} label="Verify every (seconds)" inputMode="numeric" hint="Blank: only when asked. 86400: nightly." />
        </div>
      </fieldset>

      <fieldset>
        <legend>Source: MongoDB</legend>
        <Field
          {...field("source.uri")}
          label="Connection string"
          hint="mongodb://user@host:27017/?authSource=admin"
          required
          onBlur={maskPasswordIn("source.uri", "source.password")}
        />
        <Field
          {...field("source.password")}
          label="Password"
          type="password"
          autoComplete="new-password"
          hint={connectorId === null ? "Optional; needs a user in the connection string." : "Leave blank to keep the stored password."}
          prompt={sourcePrompt}
        />
        <div className="field-row">
          <Field {...field("source.database")} label="Database" required />
          <Field {...field("source.collection")} label="Collection" required />
        </div>
      </fieldset>

      <fieldset>
        <legend>Destination: ClickHouse</legend>
        <Field
          {...field("destination.uri")}
          label="HTTP address"
          hint="http://user@host:8123"
          required
          onBlur={maskPasswordIn("destination.uri", "destination.password")}
        />
        <Field
          {...field("destination.password")}
          label="Password"
          type="password"
          autoComplete="new-password"
          hint={connectorId === null ? "Optional; user “default” when the address names none." : "Leave blank to keep the stored password."}
          prompt={destinationPrompt}
        />
        <div className="field-row">
          <Field {...field("destination.database")} label="Database" required />
          <Field {...field("destination.table")} label="Table" required />
        </div>
      </fieldset>

      <details
        className="advanced"
        open={advancedOpen}
        onToggle={(event) => {
          setAdvancedOpen(event.currentTarget.open);
        }}
      >
        <summary>Advanced: filter, projection, mapping and table options</summary>
        <TextAreaField {...field("source.filter")} label="Filter" hint='MongoDB extended JSON, e.g. { "organization_id": { "$gt": 0 } }' />
        <TextAreaField {...field("source.projection")} label="Projection" hint='e.g. { "password_hash": 0 }' />
        <div className="field-row">
          <Field {...field("mapping.separator")} label="Nested field separator" hint="Default _ (address.city → address_city)." />
          <Field {...field("mapping.maxDepth")} label="Max nesting depth" inputMode="numeric" hint="Deeper values are one JSON column." />
          <Field {...field("mapping.maxColumns")} label="Column budget" inputMode="numeric" hint="Blank: 500. Fields beyond go to _zenith_extra." />
        </div>
        <div className="field field-check">
          <label>
            <input type="checkbox" {...register("mapping.wholeDocument")} /> Also keep each whole document in a JSON column (_zenith_doc)
          </label>
        </div>
        <SelectField {...field("mapping.legacyUuid")} label="Binary subtype 3 UUIDs" hint="The driver that wrote them, to store them as UUID.">
          {legacyUuids.map((u) => (
            <option key={u.value} value={u.value}>
              {u.label}
            </option>
          ))}
        </SelectField>
        <MappingRulesEditor control={control} register={register} errors={errors} />
        <div className="field-row">
          <Field
            {...field("table.orderBy")}
            label="ORDER BY"
            hint="A prefix of the key: Zenith always ends it with _zenith_id_type, _id. Use fields that never change."
          />
          <Field {...field("table.partitionBy")} label="PARTITION BY" hint="e.g. toYYYYMM(created_at)" />
          <Field {...field("table.ttl")} label="TTL" hint="e.g. created_at + INTERVAL 90 DAY" />
        </div>
      </details>

      {/* Test, then preview, then save: the order a user checks a connector in before its first sync. */}
      <div className="checks">
        <ConnectionTestPanel connectorId={connectorId} getDraft={() => getValues()} isDirty={formState.isDirty} />
        <MappingPreviewPanel connectorId={connectorId} getDraft={() => getValues()} isDirty={formState.isDirty} />
      </div>

      {connectorId === null && (
        <label className="checkbox">
          <input
            type="checkbox"
            checked={createPaused}
            onChange={(event) => {
              setCreatePaused(event.currentTarget.checked);
            }}
          />{" "}
          Create paused <span className="muted small">— nothing syncs until you resume it, so you can review it first.</span>
        </label>
      )}

      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={formState.isSubmitting}>
          {formState.isSubmitting ? "Saving…" : connectorId === null ? "Create connector" : "Save changes"}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function errors_at(errors: object, path: string): string | undefined {
  let node: unknown = errors;
  for (const part of path.split(".")) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  if (typeof node === "object" && node !== null && "message" in node && typeof node.message === "string") return node.message;
  return undefined;
}

interface FieldProps {
  name: string;
  label: string;
  registration: UseFormRegisterReturn;
  error: string | undefined;
  hint?: string;
  required?: boolean;
}

function describedBy(id: string, hint: string | undefined, error: string | undefined, prompt?: string): string | undefined {
  // A prompt replaces the hint ("leave blank to keep the stored password" is no longer true); an error replaces the prompt.
  const ids = [
    error !== undefined ? `${id}-error` : null,
    prompt !== undefined && error === undefined ? `${id}-prompt` : null,
    hint !== undefined && prompt === undefined ? `${id}-hint` : null,
  ].filter((x) => x !== null);
  return ids.length > 0 ? ids.join(" ") : undefined;
}

function FieldChrome({ id, label, hint, error, prompt, required, children }: { id: string; label: string; hint?: string | undefined; error: string | undefined; prompt?: string | undefined; required?: boolean | undefined; children: React.ReactNode }) {
  return (
    <div className={`field${error !== undefined ? " field-invalid" : ""}`}>
      <label htmlFor={id}>
        {label}
        {required === true && <span className="required" aria-hidden="true"> *</span>}
      </label>
      {children}
      {error !== undefined && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
      {prompt !== undefined && error === undefined && (
        <p id={`${id}-prompt`} className="field-prompt" role="status">
          {prompt}
        </p>
      )}
      {hint !== undefined && prompt === undefined && (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      )}
    </div>
  );
}

function Field({
  name,
  label,
  registration,
  error,
  hint,
  required,
  type = "text",
  inputMode,
  autoComplete = "off",
  onBlur,
  prompt,
}: FieldProps & { type?: string; inputMode?: "numeric"; autoComplete?: string; onBlur?: () => void; prompt?: string | undefined }) {
  const id = `field-${name.replace(/\./g, "-")}`;
  return (
    <FieldChrome id={id} label={label} hint={hint} error={error} prompt={prompt} required={required}>
      <input
        id={id}
        type={type}
        inputMode={inputMode}
        autoComplete={autoComplete}
        spellCheck={false}
        aria-invalid={error !== undefined}
        aria-required={required}
        aria-describedby={describedBy(id, hint, error, prompt)}
        {...registration}
        onBlur={(event) => {
          void registration.onBlur(event);
          onBlur?.();
        }}
      />
    </FieldChrome>
  );
}

function TextAreaField({ name, label, registration, error, hint }: FieldProps) {
  const id = `field-${name.replace(/\./g, "-")}`;
  return (
    <FieldChrome id={id} label={label} hint={hint} error={error}>
      <textarea id={id} rows={2} spellCheck={false} aria-invalid={error !== undefined} aria-describedby={describedBy(id, hint, error)} {...registration} />
    </FieldChrome>
  );
}

function SelectField({ name, label, registration, error, hint, children }: FieldProps & { children: React.ReactNode }) {
  const id = `field-${name.replace(/\./g, "-")}`;
  return (
    <FieldChrome id={id} label={label} hint={hint} error={error}>
      <select id={id} aria-invalid={error !== undefined} aria-describedby={describedBy(id, hint, error)} {...registration}>
        {children}
      </select>
    </FieldChrome>
  );
}
