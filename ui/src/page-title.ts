import { createContext, useContext, useEffect } from 'react';

/**
 * The page's own name for the document title ("Kontowiederherstellung – Lifeline"): a page sets
 * it while it is shown, the frame (app.tsx) adds the product's name. A page that sets none is
 * titled with the product's name alone.
 */
export const PageTitleContext = createContext<(title: string | undefined) => void>(() => undefined);

/** Names the document after this page while it is mounted (browser tabs, history, screen readers). */
export function usePageTitle(title: string): void {
  const setTitle = useContext(PageTitleContext);
  useEffect(() => {
    setTitle(title);
    return () => setTitle(undefined);
  }, [setTitle, title]);
}
