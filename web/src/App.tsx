import { lazy, Suspense } from 'react';
import { NavLink, Route, Routes } from 'react-router';
import { Loading } from './components/states.tsx';
import { OverviewPage } from './pages/Overview.tsx';

// Pages load on first visit: the graph pages bring React Flow and dagre, which the overview does not need.
const LineagePage = lazy(() => import('./pages/Lineage.tsx').then((m) => ({ default: m.LineagePage })));
const ImpactPage = lazy(() => import('./pages/Impact.tsx').then((m) => ({ default: m.ImpactPage })));
const ModelsPage = lazy(() => import('./pages/Models.tsx').then((m) => ({ default: m.ModelsPage })));
const EndpointsPage = lazy(() => import('./pages/Endpoints.tsx').then((m) => ({ default: m.EndpointsPage })));
const FeaturesPage = lazy(() => import('./pages/Features.tsx').then((m) => ({ default: m.FeaturesPage })));
// GraphiQL (CodeMirror and its styles) loads with this page only.
const ExplorerPage = lazy(() => import('./pages/Explorer.tsx').then((m) => ({ default: m.ExplorerPage })));

const PAGES = [
  { path: '/', label: 'Overview' },
  { path: '/lineage', label: 'Lineage' },
  { path: '/impact', label: 'Impact' },
  { path: '/models', label: 'Models' },
  { path: '/endpoints', label: 'Endpoints' },
  { path: '/features', label: 'Features' },
  { path: '/explorer', label: 'GraphQL' },
];

export function App() {
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Cairn</span>
        <nav aria-label="Pages">
          {PAGES.map((page) => (
            <NavLink key={page.path} to={page.path} end={page.path === '/'}>
              {page.label}
            </NavLink>
          ))}
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading what="Loading the page" />}>
          <Routes>
            <Route path="/" element={<OverviewPage />} />
            <Route path="/lineage" element={<LineagePage />} />
            <Route path="/impact" element={<ImpactPage />} />
            <Route path="/models" element={<ModelsPage />} />
            <Route path="/endpoints" element={<EndpointsPage />} />
            <Route path="/features" element={<FeaturesPage />} />
            <Route path="/explorer" element={<ExplorerPage />} />
            <Route
              path="*"
              element={
                <p role="alert">
                  No such page. <NavLink to="/">Back to the overview</NavLink>
                </p>
              }
            />
          </Routes>
        </Suspense>
      </main>
    </>
  );
}
