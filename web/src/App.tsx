import { NavLink, Route, Routes } from 'react-router';
import { EndpointsPage } from './pages/Endpoints.tsx';
import { FeaturesPage } from './pages/Features.tsx';
import { ImpactPage } from './pages/Impact.tsx';
import { LineagePage } from './pages/Lineage.tsx';
import { ModelsPage } from './pages/Models.tsx';
import { OverviewPage } from './pages/Overview.tsx';

const PAGES = [
  { path: '/', label: 'Overview' },
  { path: '/lineage', label: 'Lineage' },
  { path: '/impact', label: 'Impact' },
  { path: '/models', label: 'Models' },
  { path: '/endpoints', label: 'Endpoints' },
  { path: '/features', label: 'Features' },
];

export function App() {
  return (
    <>
      <a className="skip" href="#main">Skip to content</a>
      <header className="top">
        <span className="brand">Cairn</span>
        <nav aria-label="Pages">
          {PAGES.map((page) => (
            <NavLink key={page.path} to={page.path} end={page.path === '/'}>{page.label}</NavLink>
          ))}
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        <Routes>
          <Route path="/" element={<OverviewPage />} />
          <Route path="/lineage" element={<LineagePage />} />
          <Route path="/impact" element={<ImpactPage />} />
          <Route path="/models" element={<ModelsPage />} />
          <Route path="/endpoints" element={<EndpointsPage />} />
          <Route path="/features" element={<FeaturesPage />} />
          <Route path="*" element={<p role="alert">No such page. <NavLink to="/">Back to the overview</NavLink></p>} />
        </Routes>
      </main>
    </>
  );
}
