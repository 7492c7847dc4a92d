import { mount } from 'svelte';
import './ui/shell/global.css';
import { setupI18n } from './i18n';
import { lms } from './lms/lms.svelte';
import App from './App.svelte';

setupI18n();
// Inside an LMS the SCORM session starts first, so storage and progress are the LMS's from the first read; a
// session that cannot start (its chunk did not load) is logged and the course opens all the same.
void lms
  .start(window)
  .catch((err: unknown) => console.warn('The LMS session could not start:', err))
  .then(() => mount(App, { target: document.getElementById('app')! }));
