import { useI18n } from '../i18n.js';

/** The estimated strength of a new password (zxcvbn's 0–4), announced politely as it changes; nothing while the field is empty. */
export function StrengthMeter({ strength, password }: { strength: number | undefined; password: string }) {
  const { t } = useI18n();
  if (strength === undefined || password === '') return null;
  return (
    <div className="strength" aria-live="polite">
      <meter min={0} max={4} low={2} high={3} optimum={4} value={strength} aria-label={t('ui.register.strength.label')} />
      <span>
        {t('ui.register.strength.label')}: {t(`ui.register.strength.${strength}`)}
      </span>
    </div>
  );
}
