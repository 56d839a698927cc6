// Webview entry: the host's HTML says which view this is (body data-view); one bundle serves both.
import 'uplot/dist/uPlot.min.css';
import { registerComponents } from './components/toolkit';
import { startSidebar } from './sidebar';
import { startDashboard } from './dashboard';

registerComponents();
const root = document.getElementById('root')!;
if (document.body.dataset.view === 'dashboard') startDashboard(root);
else startSidebar(root);
