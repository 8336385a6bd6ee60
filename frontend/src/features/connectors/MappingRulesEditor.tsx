import { type Control, type FieldErrors, type UseFormRegister, useFieldArray } from "react-hook-form";
import { type ConnectorDraft, fieldActions } from "./api";

interface MappingRulesEditorProps {
  control: Control<ConnectorDraft>;
  register: UseFormRegister<ConnectorDraft>;
  errors: FieldErrors<ConnectorDraft>;
}

/** The connector's field rules, one row each: a document path, what to do with it, and a type or column name where one is needed. */
export function MappingRulesEditor({ control, register, errors }: MappingRulesEditorProps) {
  const { fields, append, remove } = useFieldArray({ control, name: "mapping.rules" });
  return (
    <div className="field" role="group" aria-labelledby="rules-title">
      <p id="rules-title" className="field-label">
        Field rules
      </p>
      {fields.length === 0 && <p className="field-hint">No rules: every field is mapped by Zenith&apos;s own decisions (preview them below).</p>}
      {fields.map((field, index) => {
        const error = errors.mapping?.rules?.[index]?.path?.message;
        const id = `field-mapping-rules-${index}`;
        return (
          <div key={field.id} className="field-row rule-row" data-testid="rule-row">
            <input
              id={`${id}-path`}
              aria-label={`Rule ${index + 1} path`}
              placeholder="address.geo"
              spellCheck={false}
              aria-invalid={error !== undefined}
              aria-describedby={error !== undefined ? `${id}-error` : undefined}
              {...register(`mapping.rules.${index}.path`)}
            />
            <select aria-label={`Rule ${index + 1} action`} {...register(`mapping.rules.${index}.action`)}>
              {fieldActions.map((a) => (
                <option key={a.value} value={a.value}>
                  {a.label}
                </option>
              ))}
            </select>
            <input
              aria-label={`Rule ${index + 1} value`}
              placeholder="type or column name"
              spellCheck={false}
              {...register(`mapping.rules.${index}.value`)}
            />
            <button type="button" className="button" onClick={() => {
                remove(index);
              }} aria-label={`Remove rule ${index + 1}`}>
              Remove
            </button>
            {error !== undefined && (
              <p id={`${id}-error`} className="field-error">
                {error}
              </p>
            )}
          </div>
        );
      })}
      <button type="button" className="button" onClick={() => {
          append({ path: "", action: "exclude", value: "" });
        }}>
        Add rule
      </button>
      <p className="field-hint">
        Exclude a path, include only some, keep a sub-tree as JSON, treat a sub-document as a map, force a type, rename a column. On a
        connector that has written its table, a change that alters its columns is refused and names the resync.
      </p>
    </div>
  );
}
