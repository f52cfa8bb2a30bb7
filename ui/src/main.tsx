import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import { PasswordDialogProvider } from './components/password-dialog.js';
import { I18nProvider } from './i18n.js';
import { SessionProvider } from './session.js';
import './styles.css';
import './profile.css';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <I18nProvider>
        <SessionProvider>
          <PasswordDialogProvider>
            <App />
          </PasswordDialogProvider>
        </SessionProvider>
      </I18nProvider>
    </StrictMode>,
  );
}
