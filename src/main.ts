import { mount } from 'svelte';
import './ui/shell/global.css';
import { setupI18n } from './i18n';
import { lms } from './lms/lms.svelte';
import App from './App.svelte';

setupI18n();
// Inside an LMS the SCORM session starts first, so storage and progress are the LMS's from the first read.
void lms.start(window).then(() => mount(App, { target: document.getElementById('app')! }));
