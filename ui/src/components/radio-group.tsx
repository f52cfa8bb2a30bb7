import { useId, type ReactNode } from 'react';

/** One choice of a RadioGroup: its value, what it reads, and whether it can be picked. */
export interface RadioOption<V extends string> {
  readonly value: V;
  readonly label: ReactNode;
  readonly disabled?: boolean;
}

/**
 * A required choice as a radio group (arrow keys move, Space picks), named by its legend. The
 * error sits below the choices, announced (role=alert) and tied to the group with
 * aria-describedby; the group is then marked aria-invalid.
 */
export function RadioGroup<V extends string>({
  legend,
  name,
  options,
  value,
  onChange,
  error,
}: {
  legend: string;
  name: string;
  options: readonly RadioOption<V>[];
  value: V | undefined;
  onChange: (value: V) => void;
  error: string | undefined;
}) {
  const ids = useId();
  return (
    <fieldset
      className="choices"
      role="radiogroup"
      aria-labelledby={`${ids}-legend`}
      aria-describedby={error ? `${ids}-error` : undefined}
      aria-invalid={error ? true : undefined}
      aria-required="true"
    >
      <legend id={`${ids}-legend`}>{legend}</legend>
      {options.map((option) => (
        <label key={option.value} className="choice">
          <input
            type="radio"
            name={name}
            value={option.value}
            disabled={option.disabled}
            checked={value === option.value}
            onChange={() => onChange(option.value)}
          />
          <span className="choice-label">{option.label}</span>
        </label>
      ))}
      {error ? (
        <p id={`${ids}-error`} className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
