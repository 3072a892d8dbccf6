@echo off
rem Test stand-in for pixi.exe under wine (the smoke suite): `pixi install --manifest-path M`
rem in the build folder makes an env with a python.exe, as a real pixi would, and exits 0.
mkdir .pixi\envs\default\Library\bin 2>nul
echo stand-in > .pixi\envs\default\python.exe
echo pixi stand-in: %*
exit /b 0
