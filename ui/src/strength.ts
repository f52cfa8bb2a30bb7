import { useEffect, useState } from 'react';

type Scorer = (password: string, userInputs: string[]) => number;
let scorer: Promise<Scorer> | undefined;

/**
 * zxcvbn's score (0–4) for the strength meter: advice, not a rule (the server's policy decides).
 * The dictionaries are large, so they load only on the pages that show the meter.
 */
function loadScorer(): Promise<Scorer> {
  scorer ??= Promise.all([
    import('@zxcvbn-ts/core'),
    import('@zxcvbn-ts/language-common'),
    import('@zxcvbn-ts/language-de'),
    import('@zxcvbn-ts/language-en'),
  ]).then(([core, common, de, en]) => {
    const zxcvbn = new core.ZxcvbnFactory({
      dictionary: { ...common.dictionary, ...de.dictionary, ...en.dictionary },
      graphs: common.adjacencyGraphs,
    });
    return (password, userInputs) => zxcvbn.check(password, userInputs).score;
  });
  return scorer;
}

export function usePasswordStrength(password: string, userInputs: string[]): number | undefined {
  const [score, setScore] = useState<number | undefined>();
  const inputs = userInputs.join('\u0000');
  useEffect(() => {
    let current = true;
    if (password === '') {
      setScore(undefined);
      return;
    }
    void loadScorer().then((score) => {
      if (current) setScore(score(password.slice(0, 128), inputs.split('\u0000').concat('lifeline')));
    });
    return () => {
      current = false;
    };
  }, [password, inputs]);
  return score;
}
