/** The façade users touch first: {@link dev.kerasj.Sequential} and {@link dev.kerasj.FitOptions}. */
package dev.kerasj;
