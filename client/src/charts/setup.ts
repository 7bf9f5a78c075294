import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';

/** Only the chart.js parts Jardem draws with (keeps the bundle small), registered once. */
Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend, Filler);
Chart.defaults.font.family = getComputedStyle(document.documentElement).getPropertyValue('--font') || 'sans-serif';
Chart.defaults.font.size = 13;
Chart.defaults.color = '#374151';
Chart.defaults.borderColor = '#e5e7eb';
Chart.defaults.animation = false;

export { Chart };
