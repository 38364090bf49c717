// Entry point of the dashboard bundle: mounts the app into #app.
import { render } from "preact";
import { App } from "./app.js";

render(<App />, document.getElementById("app")!);
